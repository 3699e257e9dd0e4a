package io.jmlx.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared test data ({@code ../shared} beside the repository: MLX's golden vectors, real
 * models). Tests that need it fail with a message saying where it was looked for, never skip.
 */
public final class SharedData {
    private SharedData() {
    }

    /** The {@code shared} directory: the first {@code shared/} with a {@code golden/} inside, walking up from here. */
    public static Path root() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("golden"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("jmlx's conformance tests need the shared test data (MLX's golden vectors in "
                + "shared/golden, models in shared/models) in a folder named 'shared' beside the repository, i.e. "
                + "../shared from the repository root; none was found in " + start + " or any folder above it.");
    }

    /** {@code shared/golden}: safetensors files written by MLX and their {@code manifest.json}. */
    public static Path golden() {
        return root().resolve("golden");
    }
}
