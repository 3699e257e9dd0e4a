package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import io.jmlx.io.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jmlx example}: a fixed, deterministic checkpoint. */
class ExampleCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesTheDocumentedTensors() throws IOException {
        Path out = dir.resolve("ex.safetensors");
        Cli.Result r = Cli.run("example", "--output", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("jmlx example: wrote "), r.out());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(
                    List.of("layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight", "norm.weight"),
                    f.names());
            assertTensor(f, "layers.0.weight", DType.FLOAT32, 256, 512);
            assertTensor(f, "layers.0.bias", DType.FLOAT32, 256);
            assertTensor(f, "layers.1.weight", DType.BFLOAT16, 64, 256);
            assertTensor(f, "layers.1.bias", DType.BFLOAT16, 64);
            assertTensor(f, "norm.weight", DType.FLOAT32, 512);
            float[] w = f.get("layers.0.weight").toFloatArray();
            double sum = 0;
            double squares = 0;
            for (float v : w) {
                sum += v;
                squares += (double) v * v;
            }
            double mean = sum / w.length;
            double std = Math.sqrt(squares / w.length - mean * mean);
            assertEquals(0.0, mean, 0.001);
            assertEquals(0.05, std, 0.001);
        }
    }

    private static void assertTensor(SafetensorsFile f, String name, DType dtype, int... shape) {
        assertEquals(dtype, f.info(name).dtype(), name);
        assertArrayEquals(shape, f.info(name).shape(), name);
    }

    @Test
    void everyRunWritesTheSameBytes() throws IOException {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        assertEquals(0, Cli.run("example", "-o", a).exitCode());
        assertEquals(0, Cli.run("example", "-o", b).exitCode());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void refusesAnExistingFileUnlessForced() throws IOException {
        Path out = dir.resolve("ex.safetensors");
        Files.writeString(out, "mine");
        Cli.Result r = Cli.run("example", "-o", out);
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(
                "jmlx example: output " + out + " already exists; add --force to replace it",
                r.err().strip());
        assertEquals("mine", Files.readString(out));
        assertEquals(0, Cli.run("example", "-o", out, "--force").exitCode());
        assertTrue(Files.size(out) > 500_000);
    }
}
