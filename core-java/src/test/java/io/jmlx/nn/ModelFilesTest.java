package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models saved in mlx-lm's layout ({@link ModelSaving}) and loaded back ({@link ModelLoading}, mlx-lm's rule):
 * the same layers, settings, parameters and outputs bit for bit; per-layer config entries; all-or-nothing errors.
 */
class ModelFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Array TOKENS = Array.of(new int[] {3, 14, 15, 92, 65}, DType.INT32, 5);

    @TempDir
    Path dir;

    /** Embedding and up_proj 4-bit g64, lm_head 8-bit g32, down_proj (input 96) left dense. */
    static QuantizationResult quantize(TestModules.CausalLm m) {
        return Quantization.quantize(
                m,
                64,
                4,
                null,
                (path, layer) -> path.endsWith("down_proj")
                        ? QuantizeDecision.skip()
                        : path.equals("lm_head")
                                ? QuantizeDecision.with(32, 8)
                                : QuantizeDecision.of(layer instanceof Quantizable));
    }

    static ObjectNode config() throws IOException {
        return (ObjectNode) JSON.readTree("{\"model_type\": \"test\", \"hidden_size\": 128}");
    }

    @Test
    void aQuantizedModelSavesAndLoadsBackBitForBit() throws IOException {
        TestModules.CausalLm saved = new TestModules.CausalLm(100, 128, 96, 2);
        QuantizationResult done = quantize(saved);
        Path out = dir.resolve("model");
        ModelSaving.save(
                saved, config(), done.defaults(), CheckpointWriter.to(out).shardBytes(20_000));

        JsonNode q = JSON.readTree(out.resolve("config.json").toFile()).get("quantization");
        assertEquals(
                JSON.readTree("{\"group_size\": 64, \"bits\": 4, \"mode\": \"affine\", "
                        + "\"lm_head\": {\"group_size\": 32, \"bits\": 8, \"mode\": \"affine\"}}"),
                q);

        TestModules.CausalLm loaded = new TestModules.CausalLm(100, 128, 96, 2);
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            assertTrue(ckpt.files().size() > 1, "sharded: " + ckpt.files());
            ModelLoading.load(ckpt, loaded);
            Map<String, Module> leaves = loaded.leafModules();
            assertEquals(
                    new QuantizationSettings(32, 8, QuantizationMode.AFFINE),
                    assertInstanceOf(QuantizedLinear.class, leaves.get("lm_head"))
                            .settings());
            assertEquals(
                    new QuantizationSettings(64, 4, QuantizationMode.AFFINE),
                    assertInstanceOf(QuantizedEmbedding.class, leaves.get("model.embed_tokens"))
                            .settings());
            assertInstanceOf(Linear.class, leaves.get("model.layers.1.mlp.down_proj"));
            Map<String, Array> expected = saved.parameters();
            Map<String, Array> actual = loaded.parameters();
            assertEquals(expected.keySet(), actual.keySet());
            expected.forEach(
                    (k, v) -> assertArrayEquals(v.toBytes(), actual.get(k).toBytes(), k));
            assertArrayEquals(
                    saved.forward(TOKENS).toFloatArray(), loaded.forward(TOKENS).toFloatArray());
        }
    }

    @Test
    void aCheckpointThatDoesNotFitLeavesTheModelUntouched() throws IOException {
        TestModules.CausalLm saved = new TestModules.CausalLm(100, 128, 96, 2);
        quantize(saved);
        Path out = dir.resolve("model");
        ModelSaving.save(saved, config(), null, CheckpointWriter.to(out));

        TestModules.CausalLm wider = new TestModules.CausalLm(100, 256, 96, 2);
        Module embed = wider.leafModules().get("model.embed_tokens");
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ModelLoading.load(ckpt, wider));
            assertTrue(
                    e.getMessage().contains("(100,128) once dequantized but the model's layer has (100,256)"),
                    e.getMessage());
        }
        assertSame(embed, wider.leafModules().get("model.embed_tokens"));

        // A config that says a layer is dense while its scales are stored: the strict load refuses the scales.
        ObjectNode config =
                (ObjectNode) JSON.readTree(out.resolve("config.json").toFile());
        ((ObjectNode) config.get("quantization")).put("model.layers.0.mlp.up_proj", false);
        Files.writeString(out.resolve("config.json"), config.toString());
        TestModules.CausalLm fresh = new TestModules.CausalLm(100, 128, 96, 2);
        Map<String, Module> before = fresh.leafModules();
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ModelLoading.load(ckpt, fresh));
            assertTrue(e.getMessage().startsWith("Received 2 parameters not in model"), e.getMessage());
        }
        before.forEach((path, m) -> assertSame(m, fresh.leafModules().get(path), path));
    }
}
