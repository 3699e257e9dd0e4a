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
import io.jmlx.testing.RandomArrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jmlx dequantize} on a model directory: each layer with its own settings from the config (per-layer
 * entries included), MLX's dequantize bytes, the config without its quantization entries, other files carried.
 */
class DequantizeDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void aMixedModelComesBackDenseLayerByLayer() throws IOException {
        Map<String, Array> dense = new TreeMap<>();
        dense.put("a.weight", RandomArrays.normal(1, 0.02f, DType.BFLOAT16, 64, 128));
        dense.put("b.weight", RandomArrays.normal(2, 0.02f, DType.BFLOAT16, 32, 128));
        dense.put("c.weight", RandomArrays.normal(3, 0.02f, DType.BFLOAT16, 16, 128));
        dense.put("c.bias", RandomArrays.normal(4, 0.02f, DType.BFLOAT16, 16));
        Path in = dir.resolve("in");
        CheckpointWriter.to(in).write((ObjectNode) new ObjectMapper().readTree("{\"model_type\": \"t\"}"), dense);
        Files.writeString(in.resolve("tokenizer_config.json"), "{}");
        Path q = dir.resolve("q");
        assertEquals(
                0,
                Cli.run("convert", "-i", in, "-o", q, "--override", "^b=6:32", "--override", "^c=4:32:mxfp4")
                        .exitCode());

        Path out = dir.resolve("dense");
        Cli.Result r = Cli.run("dequantize", "-i", q, "-o", out);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("3 dequantized"), r.out());
        try (ModelCheckpoint quantized = ModelCheckpoint.open(q);
                ModelCheckpoint back = ModelCheckpoint.open(out)) {
            assertEquals(List.of("a.weight", "b.weight", "c.bias", "c.weight"), back.names());
            assertFalse(back.config().has("quantization"));
            assertFalse(back.config().has("quantization_config"));
            assertEquals("t", back.config().get("model_type").asText());
            assertTrue(Files.exists(out.resolve("tokenizer_config.json")));
            expect(
                    back,
                    "a.weight",
                    Jmlx.dequantize(
                            quantized.get("a.weight"), quantized.get("a.scales"), quantized.get("a.biases"), 64, 4));
            expect(
                    back,
                    "b.weight",
                    Jmlx.dequantize(
                            quantized.get("b.weight"), quantized.get("b.scales"), quantized.get("b.biases"), 32, 6));
            expect(back, "c.weight", Jmlx.dequantize(quantized.get("c.weight"), quantized.get("c.scales"), "mxfp4"));
            assertArrayEquals(dense.get("c.bias").toBytes(), back.get("c.bias").toBytes());
        }

        Cli.Result f32 = Cli.run("dequantize", "-i", q, "-o", dir.resolve("f32"), "--dtype", "float32");
        assertEquals(0, f32.exitCode(), f32.toString());
        try (ModelCheckpoint back = ModelCheckpoint.open(dir.resolve("f32"))) {
            assertEquals(DType.FLOAT32, back.info("a.weight").dtype());
            assertEquals(DType.FLOAT32, back.info("c.weight").dtype());
        }
        Cli.Result refused = Cli.run("dequantize", "-i", q, "-o", dir.resolve("x"), "--bits", "4");
        assertEquals(JmlxCommand.EXIT_USAGE, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("gives them per layer"), refused.err());
    }

    private static void expect(ModelCheckpoint back, String name, Array expected) {
        assertEquals(expected.dtype(), back.info(name).dtype(), name);
        assertArrayEquals(expected.shape(), back.info(name).shape(), name);
        assertArrayEquals(expected.toBytes(), back.get(name).toBytes(), name);
    }
}
