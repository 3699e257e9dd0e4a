package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.testing.RandomArrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MLX's {@code python/tests/test_nn.py} quantization cases (spec §8, items 38 and 41), translated. */
class MlxTestNnTest {

    private static Sequential embeddingReluLinear() {
        return new Sequential(new Embedding(5, 256), new TestModules.Relu(), new Linear(256, 256));
    }

    @Test
    void quantizeSwapsEveryQuantizableLayerAndLeavesTheRest() {
        Sequential m = embeddingReluLinear();
        Layer relu = m.layers().get(1);
        Quantization.quantize(m);
        assertInstanceOf(QuantizedEmbedding.class, m.layers().get(0));
        assertSame(relu, m.layers().get(1));
        assertInstanceOf(QuantizedLinear.class, m.layers().get(2));
    }

    @Test
    void aLinearOnlyPredicateLeavesTheEmbedding() {
        Sequential m = embeddingReluLinear();
        Quantization.quantizeWhere(m, (path, module) -> module instanceof Linear);
        assertInstanceOf(Embedding.class, m.layers().get(0));
        assertInstanceOf(QuantizedLinear.class, m.layers().get(2));
    }

    @Test
    void mxfp4WithGroupSize32QuantizesBoth() {
        Sequential m = embeddingReluLinear();
        Quantization.quantize(m, 32, null, "mxfp4");
        QuantizedEmbedding e =
                assertInstanceOf(QuantizedEmbedding.class, m.layers().get(0));
        QuantizedLinear l = assertInstanceOf(QuantizedLinear.class, m.layers().get(2));
        assertEquals(new QuantizationSettings(32, 4, QuantizationMode.MXFP4), l.settings());
        assertEquals(DType.UINT8, l.scales().dtype());
        assertEquals(DType.UINT8, e.scales().dtype());
        assertNull(l.biases());
        assertFalse(m.parameters().containsKey("layers.2.biases"), "no biases key in the microscaling modes");
        assertTrue(m.parameters().containsKey("layers.2.bias"));
    }

    @Test
    void quantizedEmbeddingIsCloseAndWorksAsATiedHead() {
        Embedding emb = new Embedding(32, 256);
        QuantizedEmbedding qemb = QuantizedEmbedding.fromEmbedding(emb, null, 8, null);
        Array x = Array.of(new int[] {2, 6, 9, 3, 0, 3}, DType.INT32, 6);
        float[] dense = emb.forward(x).toFloatArray();
        float[] quantized = qemb.forward(x).toFloatArray();
        float maxError = 0;
        for (int i = 0; i < dense.length; i++) {
            maxError = Math.max(maxError, Math.abs(dense[i] - quantized[i]));
        }
        float maxScale = Float.NEGATIVE_INFINITY;
        for (float s : qemb.scales().toFloatArray()) {
            maxScale = Math.max(maxScale, s);
        }
        assertTrue(maxError < maxScale, "max error " + maxError + " < scales.max() " + maxScale);

        Array h = RandomArrays.uniform(7, 2, 256);
        float[] expected = emb.asLinear(h).toFloatArray();
        float[] got = qemb.asLinear(h).toFloatArray();
        for (int row = 0; row < 2; row++) {
            double dot = 0;
            double ee = 0;
            double gg = 0;
            for (int v = 0; v < 32; v++) {
                int i = row * 32 + v;
                dot += expected[i] * got[i];
                ee += expected[i] * expected[i];
                gg += got[i] * got[i];
            }
            double cosine = dot / Math.sqrt(ee * gg);
            assertTrue(cosine > 0.99, "row " + row + " cosine " + cosine);
        }
    }

    @Test
    void quantizedLayersKeepTheirPlaceInAUserModel() {
        TestModules.CausalLm lm = new TestModules.CausalLm(40, 64, 128, 2);
        QuantizationResult done = Quantization.quantize(lm, 32, 4, null);
        assertEquals(
                List.of(
                        "model.embed_tokens",
                        "model.layers.0.mlp.up_proj",
                        "model.layers.0.mlp.down_proj",
                        "model.layers.1.mlp.up_proj",
                        "model.layers.1.mlp.down_proj",
                        "lm_head"),
                List.copyOf(done.layers().keySet()));
        assertTrue(lm.parameters().containsKey("model.layers.0.mlp.up_proj.scales"));
        assertTrue(lm.parameters().containsKey("model.layers.1.mlp.down_proj.biases"));
        Array logits = lm.forward(Array.of(new int[] {1, 39, 7}, DType.INT32, 1, 3));
        assertEquals(List.of(1, 3, 40), List.of(logits.dim(0), logits.dim(1), logits.dim(2)));
    }
}
