package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.testing.RandomArrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RMSNorm, LayerNorm, RoPE and the activations: parameters as MLX names them, forward passes checked by hand. */
class NormAndRotaryLayersTest {

    @Test
    void rmsNormStartsWithUnitScaleAndUsesTheLoadedWeight() {
        RMSNorm norm = new RMSNorm(4, 1e-6f);
        assertEquals(List.of("weight"), List.copyOf(norm.parameters().keySet()));
        assertArrayEquals(new float[] {1, 1, 1, 1}, norm.weight().toFloatArray());
        Array x = Array.of(new float[] {1, -1, 1, -1, 2, 2, 2, 2}, 2, 4);
        assertArrayEquals(
                new float[] {1, -1, 1, -1, 1, 1, 1, 1}, norm.forward(x).toFloatArray(), 1e-6f);
        norm.loadWeights(Map.of("weight", Array.of(new float[] {1, 2, 3, 4}, 4)), true);
        assertArrayEquals(
                new float[] {1, -2, 3, -4, 1, 2, 3, 4}, norm.forward(x).toFloatArray(), 1e-5f);
    }

    @Test
    void layerNormHasTheParametersItWasAskedFor() {
        assertEquals(
                List.of("weight", "bias"),
                List.copyOf(new LayerNorm(3).parameters().keySet()));
        assertEquals(
                List.of("weight"),
                List.copyOf(new LayerNorm(3, 1e-5f, true, false).parameters().keySet()));
        assertEquals(
                List.of(),
                List.copyOf(new LayerNorm(3, 1e-5f, false, true).parameters().keySet()));
        LayerNorm norm = new LayerNorm(2);
        norm.loadWeights(
                Map.of("weight", Array.of(new float[] {2, 2}, 2), "bias", Array.of(new float[] {1, 0}, 2)), true);
        assertArrayEquals(
                new float[] {-1, 2},
                norm.forward(Array.of(new float[] {3, 5}, 1, 2)).toFloatArray(),
                1e-4f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RMSNorm(0));
        assertEquals("[RMSNorm] dims must be positive but is 0.", e.getMessage());
    }

    @Test
    void ropeWithAnOffsetContinuesTheSequence() {
        RoPE rope = new RoPE(8);
        assertEquals(Map.of(), rope.parameters());
        Array x = RandomArrays.normal(4, 1, DType.FLOAT32, 2, 6, 8);
        float[] whole = rope.forward(x).toFloatArray();
        Array tail = Jmlx.slice(x, new int[] {0, 4, 0}, new int[] {2, 6, 8});
        float[] continued = rope.forward(tail, 4).toFloatArray();
        float[] expected = Jmlx.slice(Array.of(whole, 2, 6, 8), new int[] {0, 4, 0}, new int[] {2, 6, 8})
                .toFloatArray();
        assertArrayEquals(expected, continued, 1e-6f);
        assertArrayEquals(
                Jmlx.rope(x, 8, true, 500, 2, 0).toFloatArray(),
                new RoPE(8, true, 500, 2).forward(x).toFloatArray());
    }

    @Test
    void activationsAreTheFormulas() {
        float[] v = {-3, -0.5f, 0, 0.5f, 3};
        Array x = Array.of(v, 5);
        float[] silu = Activations.silu(x).toFloatArray();
        float[] gelu = Activations.gelu(x).toFloatArray();
        float[] approx = Activations.geluApprox(x).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i] / (1 + Math.exp(-v[i])), silu[i], 1e-6);
            assertEquals(approx[i], gelu[i], 2e-3, "the tanh form approximates the erf form");
        }
        assertEquals(0.5 * (1 + 0.3829249225) / 2, gelu[3], 1e-6, "erf(0.5/√2) = 0.3829249225");
    }
}
