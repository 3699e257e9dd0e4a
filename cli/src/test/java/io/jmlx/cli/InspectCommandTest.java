package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.RandomArrays;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jmlx inspect}: tensors, recorded settings, per-layer checks and totals; errors for missing input. */
class InspectCommandTest {
    @TempDir
    Path dir;

    @Test
    void aFileQuantizedByJmlxShowsItsSettingsAndFlagsALayerThatDoesNotFit() throws IOException {
        Path dense = dir.resolve("dense.safetensors");
        Map<String, Array> t = new TreeMap<>();
        t.put("a.weight", RandomArrays.normal(1, 0.02f, DType.FLOAT32, 16, 128));
        t.put("n.weight", RandomArrays.normal(2, 1f, DType.FLOAT32, 128));
        Cli.write(dense, t, Map.of());
        Path q = dir.resolve("q.safetensors");
        assertEquals(
                0,
                Cli.run("quantize", "-i", dense, "-o", q, "--bits", "8", "--group-size", "32")
                        .exitCode());

        Cli.Result r = Cli.run("inspect", q);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("4 tensors in 1 file"), r.out());
        assertTrue(
                r.out().lines().anyMatch(l -> l.matches("\\s*a\\.scales\\s+float32\\s+\\(16,4\\)\\s+256 B")), r.out());
        assertTrue(
                r.out().lines().anyMatch(l -> l.matches("\\s*a\\s+affine, group size 32, 8 bits\\s+global\\s+ok")),
                r.out());
        // 16·128 weights of 8 bits plus 128 norm weights, in 512 + 2·256 + 512 bytes plus 2048 + 512 bytes.
        assertTrue(r.out().contains("2,176 weights in .weight tensors"), r.out());

        QuantizedParts wrong = Jmlx.quantize(t.get("a.weight"), 64, 8); // shapes of group size 64, read as 32
        Path mislabelled = dir.resolve("m.safetensors");
        Cli.write(
                mislabelled,
                Map.of("a.weight", wrong.packed(), "a.scales", wrong.scales(), "a.biases", wrong.biases()),
                Map.of("jmlx.quantization", "{\"group_size\":32,\"bits\":8,\"mode\":\"affine\"}"));
        Cli.Result flagged = Cli.run("inspect", mislabelled);
        assertEquals(0, flagged.exitCode(), flagged.toString());
        assertTrue(
                flagged.out().contains("packed (16,32) holds 128 codes per row but the scales (16,2) cover 64"),
                flagged.out());
    }

    @Test
    void aMissingPathFails() {
        Cli.Result r = Cli.run("inspect", dir.resolve("nope"));
        assertEquals(JmlxCommand.EXIT_FAILED, r.exitCode());
        assertTrue(r.err().contains("input not found"), r.err());
    }
}
