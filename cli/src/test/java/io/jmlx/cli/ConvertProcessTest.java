package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.RandomArrays;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jmlx convert} in its own JVM, as users run it, on a generated 256 MB checkpoint: it converts under a
 * 64 MB heap (the weights stream through native memory one layer at a time), and a run stopped half-way (SIGTERM,
 * as Ctrl-C) leaves no output, no temporary directory, and the input as it was.
 */
class ConvertProcessTest {
    private static final int LAYERS = 16;
    private static final int ROWS = 2048;
    private static final int COLS = 2048;

    @TempDir
    static Path dir;

    static Path input;

    @BeforeAll
    static void writeInput() throws IOException {
        Map<String, Array> tensors = new TreeMap<>();
        for (int i = 0; i < LAYERS; i++) {
            tensors.put(
                    "model.layers." + i + ".mlp.up_proj.weight",
                    RandomArrays.normal(100 + i, 0.02f, DType.FLOAT32, ROWS, COLS));
            tensors.put("model.layers." + i + ".norm.weight", RandomArrays.normal(200 + i, 1f, DType.FLOAT32, COLS));
        }
        input = dir.resolve("big");
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree("{\"model_type\": \"generated\"}");
        CheckpointWriter.to(input).shardBytes(100_000_000).write(config, tensors);
    }

    /** A {@code jmlx convert} child JVM with {@code -Xmx64m}; stderr is merged into stdout. */
    private static Process convert(Path output, String... extra) throws IOException {
        List<Object> args = new ArrayList<>(List.of("convert", "-i", input, "-o", output));
        args.addAll(List.of(extra));
        return Cli.launch(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=256m"), args.toArray());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aModelLargerThanTheHeapConvertsInBoundedMemory() throws Exception {
        Path output = dir.resolve("big-4bit");
        Process p = convert(output, "--shard-size", "20MB");
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        assertTrue(log.contains("total: " + LAYERS + " layers quantized"), log);
        try (ModelCheckpoint out = ModelCheckpoint.open(output);
                ModelCheckpoint in = ModelCheckpoint.open(input)) {
            assertTrue(out.files().size() > 2, "shards: " + out.files());
            String layer = "model.layers.7.mlp.up_proj";
            QuantizedParts q = Jmlx.quantize(in.get(layer + ".weight"), 64, 4);
            assertArrayEquals(q.packed().toBytes(), out.get(layer + ".weight").toBytes());
            assertArrayEquals(q.scales().toBytes(), out.get(layer + ".scales").toBytes());
            assertArrayEquals(q.biases().toBytes(), out.get(layer + ".biases").toBytes());
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void anInterruptedRunLeavesNothingBehind() throws Exception {
        String before = Cli.digest(input);
        List<String> listing = Cli.listing(dir);
        Path output = dir.resolve("stopped");
        Process p = convert(output, "--shard-size", "20MB");
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("converting:")) { // the first tenth is on disk: stop it now
                    p.destroy();
                    break;
                }
            }
            assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the child stops");
        }
        assertTrue(seen.toString().contains("converting:"), seen.toString());
        assertFalse(Files.exists(output), "no output: " + Cli.listing(dir));
        assertEquals(listing, Cli.listing(dir), "no temporary directory left");
        assertEquals(before, Cli.digest(input), "the input is untouched");
    }
}
