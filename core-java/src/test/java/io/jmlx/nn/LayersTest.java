package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.testing.RandomArrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dense layers: forward passes computed by hand, MLX's initialization ranges, argument errors. */
class LayersTest {

    @Test
    void linearComputesXTimesWeightTransposedPlusBias() {
        Array w = Array.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Array b = Array.of(new float[] {0.5f, -1}, 2);
        Array x = Array.of(new float[] {1, 0, -1, 2, 1, 0}, 2, 3);
        assertArrayEquals(
                new float[] {1 - 3 + 0.5f, 4 - 6 - 1, 2 + 2 + 0.5f, 8 + 5 - 1},
                new Linear(w, b).forward(x).toFloatArray());
        assertArrayEquals(
                new float[] {-2, -2, 4, 13}, new Linear(w, null).forward(x).toFloatArray());
        Array batched = new Linear(w, b).forward(x.reshape(2, 1, 3));
        assertArrayEquals(new int[] {2, 1, 2}, batched.shape());
    }

    @Test
    void linearIsInitializedAsMlx() {
        Linear l = new Linear(100, 30);
        float bound = (float) Math.sqrt(1.0 / 100);
        for (float v : l.weight().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound, "uniform in ±1/√in: " + v);
        }
        assertArrayEquals(new int[] {30, 100}, l.weight().shape());
        assertArrayEquals(new int[] {30}, l.bias().shape());
        assertEquals(
                List.of("weight"),
                List.copyOf(new Linear(4, 4, false).parameters().keySet()));
    }

    @Test
    void embeddingGathersRowsAndActsAsATiedHead() {
        Array table = RandomArrays.normal(7, 1, DType.FLOAT32, 6, 4);
        Embedding e = new Embedding(table);
        Array ids = Array.of(new int[] {5, 0, 5, 2}, DType.INT32, 2, 2);
        Array rows = e.forward(ids);
        assertArrayEquals(new int[] {2, 2, 4}, rows.shape());
        float[] t = table.toFloatArray();
        float[] got = rows.toFloatArray();
        int[] idx = {5, 0, 5, 2};
        for (int i = 0; i < idx.length; i++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(t[idx[i] * 4 + k], got[i * 4 + k]);
            }
        }
        Array x = RandomArrays.normal(8, 1, DType.FLOAT32, 3, 4);
        float[] logits = e.asLinear(x).toFloatArray();
        float[] xs = x.toFloatArray();
        for (int r = 0; r < 3; r++) {
            for (int v = 0; v < 6; v++) {
                float dot = 0;
                for (int k = 0; k < 4; k++) {
                    dot += xs[r * 4 + k] * t[v * 4 + k];
                }
                assertEquals(dot, logits[r * 6 + v], 1e-5f);
            }
        }
        Embedding random = new Embedding(50, 16);
        assertArrayEquals(new int[] {50, 16}, random.weight().shape());
    }

    @Test
    void constructorsNameTheBadArgument() {
        Array w = Array.zeros(DType.FLOAT32, 2, 3);
        IllegalArgumentException bias =
                assertThrows(IllegalArgumentException.class, () -> new Linear(w, Array.zeros(DType.FLOAT32, 3)));
        assertEquals(
                "[Linear] bias must be a floating vector of shape (2) to match the weight but has shape (3) and "
                        + "type float32.",
                bias.getMessage());
        IllegalArgumentException weight =
                assertThrows(IllegalArgumentException.class, () -> new Embedding(Array.zeros(DType.INT32, 2, 3)));
        assertEquals(
                "[Embedding] weight must be a 2-D floating array but has shape (2,3) and type int32.",
                weight.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new Linear(null, null));
    }
}
