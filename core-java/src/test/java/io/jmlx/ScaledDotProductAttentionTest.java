package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.testing.AttentionReference;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Jmlx#scaledDotProductAttention} against float64 attention computed here, with every mask shape that
 * broadcasts (none, per batch, per query, full), half-type inputs, and its argument checks.
 */
class ScaledDotProductAttentionTest {
    private static final int B = 2;
    private static final int H = 3;
    private static final int LQ = 5;
    private static final int LK = 11;
    private static final int D = 12;
    private static final float SCALE = 0.3f;

    private final Random random = new Random(21);
    private final float[] q = values(B * H * LQ * D);
    private final float[] k = values(B * H * LK * D);
    private final float[] v = values(B * H * LK * D);

    @Test
    void everyMaskShapeWithinBoundOfExact() {
        check(null, null);
        float[] padding = new float[B * LK];
        java.util.Arrays.fill(padding, LK - 3, LK, Float.NEGATIVE_INFINITY); // the first sentence's padding
        check(Array.of(padding, DType.FLOAT32, B, 1, 1, LK), (bh, i, j) -> padding[bh / H * LK + j]);
        float[] perQuery = values(LQ * LK);
        check(Array.of(perQuery, DType.FLOAT32, LQ, LK), (bh, i, j) -> perQuery[i * LK + j]);
        float[] full = values(B * H * LQ * LK);
        check(Array.of(full, DType.FLOAT32, B, H, LQ, LK), (bh, i, j) -> full[(bh * LQ + i) * LK + j]);
    }

    private void check(Array mask, AttentionReference.MaskValues values) {
        float[] actual = Jmlx.scaledDotProductAttention(
                        Array.of(q, DType.FLOAT32, B, H, LQ, D),
                        Array.of(k, DType.FLOAT32, B, H, LK, D),
                        Array.of(v, DType.FLOAT32, B, H, LK, D),
                        SCALE,
                        mask)
                .toFloatArray();
        AttentionReference.Result exact = AttentionReference.compute(q, k, v, B * H, LQ, LK, D, SCALE, values);
        for (int i = 0; i < actual.length; i++) {
            assertTrue(
                    Math.abs(actual[i] - exact.values()[i]) <= exact.bounds()[i],
                    "at " + i + ": " + actual[i] + " vs " + exact.values()[i]);
        }
    }

    @Test
    void halfTypesGiveTheirTypeWithinItsRounding() {
        Array out = Jmlx.scaledDotProductAttention(
                Array.of(q, DType.FLOAT32, B, H, LQ, D).astype(DType.BFLOAT16),
                Array.of(k, DType.FLOAT32, B, H, LK, D).astype(DType.BFLOAT16),
                Array.of(v, DType.FLOAT32, B, H, LK, D).astype(DType.BFLOAT16),
                SCALE,
                null);
        assertEquals(DType.BFLOAT16, out.dtype());
        assertArrayEquals(new int[] {B, H, LQ, D}, out.shape());
        float[] rounded = out.astype(DType.FLOAT32).toFloatArray();
        float[] qb = Array.of(q, DType.FLOAT32, q.length)
                .astype(DType.BFLOAT16)
                .astype(DType.FLOAT32)
                .toFloatArray();
        float[] kb = Array.of(k, DType.FLOAT32, k.length)
                .astype(DType.BFLOAT16)
                .astype(DType.FLOAT32)
                .toFloatArray();
        float[] vb = Array.of(v, DType.FLOAT32, v.length)
                .astype(DType.BFLOAT16)
                .astype(DType.FLOAT32)
                .toFloatArray();
        AttentionReference.Result exact = AttentionReference.compute(qb, kb, vb, B * H, LQ, LK, D, SCALE, null);
        for (int i = 0; i < rounded.length; i++) {
            double e = exact.values()[i];
            assertTrue(
                    Math.abs(rounded[i] - e) <= exact.bounds()[i] + Math.abs(e) * 0x1p-8,
                    "at " + i + ": " + rounded[i] + " vs " + e);
        }
    }

    @Test
    void checksItsArguments() {
        Array q4 = Array.of(q, DType.FLOAT32, B, H, LQ, D);
        Array k4 = Array.of(k, DType.FLOAT32, B, H, LK, D);
        Array v4 = Array.of(v, DType.FLOAT32, B, H, LK, D);
        assertMessage(
                "q, k and v must be 4-D",
                () -> Jmlx.scaledDotProductAttention(Array.of(q, DType.FLOAT32, B * H, LQ, D), k4, v4, SCALE, null));
        assertMessage(
                "k and v must have q's batch, heads and dims",
                () -> Jmlx.scaledDotProductAttention(q4, Array.of(k, DType.FLOAT32, B, H * LK, 1, D), v4, SCALE, null));
        assertMessage(
                "mask must broadcast to [batch, heads, queries, keys] = (2,3,5,11)",
                () -> Jmlx.scaledDotProductAttention(
                        q4, k4, v4, SCALE, Array.of(new float[LK - 1], DType.FLOAT32, LK - 1)));
        assertMessage(
                "mask must broadcast",
                () -> Jmlx.scaledDotProductAttention(
                        q4, k4, v4, SCALE, Array.of(new float[2 * LK], DType.FLOAT32, 2, LK)));
        assertMessage(
                "scale must be finite but is NaN", () -> Jmlx.scaledDotProductAttention(q4, k4, v4, Float.NaN, null));
        assertMessage(
                "q must be float32, float16 or bfloat16",
                () -> Jmlx.scaledDotProductAttention(q4.astype(DType.INT32), k4, v4, SCALE, null));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith("[scaled_dot_product_attention] "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private float[] values(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
