package io.jmlx.gpu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.io.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * MLX's golden vectors ({@code shared/golden}: safetensors files and {@code manifest.json}), found by walking up
 * from the working directory to the first folder with {@code shared/golden}; files are memory-mapped once.
 */
public final class Golden {
    private static final Map<String, SafetensorsFile> FILES = new HashMap<>();

    private Golden() {}

    /** The folder {@code shared/golden}; fails with a clear message when there is none. */
    public static Path folder() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/golden");
            if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
                return candidate;
            }
        }
        throw new AssertionError("Cannot find MLX's golden vectors: no shared/golden/manifest.json in " + start
                + " or above; the tests expect the shared data at ../shared from the repository root");
    }

    public static JsonNode manifest() {
        try {
            return new ObjectMapper().readTree(folder().resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tensor {@code name} of the case's file. */
    public static synchronized Array tensor(JsonNode c, String name) {
        SafetensorsFile file = FILES.computeIfAbsent(c.get("file").asText(), f -> {
            try {
                return SafetensorsFile.open(folder().resolve(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return file.get(name);
    }

    /** The tensor of output {@code key} of a case. */
    public static Array output(JsonNode c, String key) {
        return tensor(c, c.get("outputs").get(key).get("name").asText());
    }

    /** Unmaps every file. */
    public static synchronized void closeAll() {
        FILES.values().forEach(SafetensorsFile::close);
        FILES.clear();
    }
}
