package io.jmlx.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared test data (MLX-written golden files and a small real model), which lives next to the
 * repository as {@code ../shared}. Tests run from different folders (the repository root, or {@code core-java/}
 * under Maven), so this walks up from the working directory to the first folder with a {@code shared/golden}
 * sub-folder.
 */
public final class SharedData {
    private SharedData() {}

    /** The {@code shared} folder; fails the test with a clear message when there is none. */
    public static Path root() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("golden"))) {
                return candidate;
            }
        }
        throw new AssertionError("Cannot find the shared test data: no folder 'shared/golden' in " + start
                + " or any folder above it. The tests expect it at ../shared from the repository root (the golden "
                + "safetensors files and models/tinystories-260k).");
    }

    /** A file in {@code shared/golden}, e.g. {@code affine_float32_64x128.safetensors}; fails if it is missing. */
    public static Path golden(String fileName) {
        return existing(root().resolve("golden").resolve(fileName));
    }

    /** The golden files' {@code manifest.json}. */
    public static Path goldenManifest() {
        return golden("manifest.json");
    }

    /** The small real model {@code shared/models/tinystories-260k/model.safetensors}. */
    public static Path tinyStoriesModel() {
        return existing(root().resolve("models/tinystories-260k/model.safetensors"));
    }

    private static Path existing(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("Missing shared test file " + p);
        }
        return p;
    }
}
