package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.kernels.FloatFormats;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;

/**
 * {@code rmsNorm}, {@code layerNorm} and {@code rope} against formulas written here in double precision, with MLX's
 * rounding order for half types, optional weight and bias, both rotary conventions, offsets, partial rotation and
 * argument errors.
 */
class FastOpsTest {

    @Test
    void rmsNormScalesEachRowByItsRootMeanSquareThenTheWeight() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            Array x = RandomArrays.normal(1, 2, t, 3, 2, 8);
            Array w = RandomArrays.normal(2, 1, t, 8);
            float[] xs = x.toFloatArray();
            float[] ws = w.toFloatArray();
            float[] got = Jmlx.rmsNorm(x, w, 1e-5f).toFloatArray();
            float[] unweighted = Jmlx.rmsNorm(x, null, 1e-5f).toFloatArray();
            for (int r = 0; r < 6; r++) {
                double squares = 0;
                for (int k = 0; k < 8; k++) {
                    squares += (double) xs[r * 8 + k] * xs[r * 8 + k];
                }
                double scale = 1 / Math.sqrt(squares / 8 + 1e-5);
                for (int k = 0; k < 8; k++) {
                    float normalized = FloatFormats.roundTo(t, (float) (xs[r * 8 + k] * scale));
                    float tol = t == DType.FLOAT32 ? 2e-6f : 0;
                    assertEquals(normalized, unweighted[r * 8 + k], tol, t + " row " + r);
                    assertEquals(FloatFormats.roundTo(t, normalized * ws[k]), got[r * 8 + k], tol, t + " row " + r);
                }
            }
        }
    }

    @Test
    void layerNormCentersScalesAndShifts() {
        Array x = RandomArrays.normal(3, 3, DType.FLOAT32, 4, 16);
        Array w = RandomArrays.normal(4, 1, DType.FLOAT32, 16);
        Array b = RandomArrays.normal(5, 1, DType.FLOAT32, 16);
        float[] xs = x.toFloatArray();
        float[] ws = w.toFloatArray();
        float[] bs = b.toFloatArray();
        float[] full = Jmlx.layerNorm(x, w, b, 1e-5f).toFloatArray();
        float[] plain = Jmlx.layerNorm(x, null, null, 1e-5f).toFloatArray();
        float[] weightOnly = Jmlx.layerNorm(x, w, null, 1e-5f).toFloatArray();
        float[] biasOnly = Jmlx.layerNorm(x, null, b, 1e-5f).toFloatArray();
        for (int r = 0; r < 4; r++) {
            double mean = 0;
            for (int k = 0; k < 16; k++) {
                mean += xs[r * 16 + k] / 16.0;
            }
            double variance = 0;
            for (int k = 0; k < 16; k++) {
                variance += (xs[r * 16 + k] - mean) * (xs[r * 16 + k] - mean) / 16;
            }
            for (int k = 0; k < 16; k++) {
                double n = (xs[r * 16 + k] - mean) / Math.sqrt(variance + 1e-5);
                int i = r * 16 + k;
                assertEquals(n, plain[i], 2e-6);
                assertEquals(n * ws[k], weightOnly[i], 1e-5);
                assertEquals(n + bs[k], biasOnly[i], 1e-5);
                assertEquals(n * ws[k] + bs[k], full[i], 1e-5);
            }
        }
    }

    @Test
    void normsCheckTheirArguments() {
        Array x = Array.zeros(DType.FLOAT32, 2, 8);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Jmlx.rmsNorm(x, Array.zeros(DType.FLOAT32, 4), 1e-5f));
        assertEquals(
                "[rms_norm] weight must be a vector of the size of the last axis of x, (8), but has shape (4).",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Jmlx.layerNorm(x, null, Array.zeros(DType.FLOAT32, 2, 8), 1e-5f));
        assertEquals(
                "[layer_norm] bias must be a vector of the size of the last axis of x, (8), but has shape (2,8).",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Jmlx.rmsNorm(x, null, -1));
        assertEquals("[rms_norm] eps must be a finite number >= 0 but is -1.0.", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.rmsNorm(Array.of(new int[] {1}, DType.INT32, 1), null, 1e-5f));
        assertEquals(
                "[rms_norm] x must be float32, float16 or bfloat16 but has type int32; convert it first with "
                        + "astype.",
                e.getMessage());
    }

    /** The rotation of one head row at sequence index {@code l}, written out pair by pair. */
    private static double[] rotated(
            float[] row, int dims, boolean traditional, double base, double scale, int offset, int l) {
        double[] out = new double[row.length];
        for (int k = 0; k < row.length; k++) {
            out[k] = row[k];
        }
        for (int j = 0; j < dims / 2; j++) {
            int a = traditional ? 2 * j : j;
            int b = traditional ? 2 * j + 1 : j + dims / 2;
            double angle = scale * (offset + l) / Math.pow(base, 2.0 * j / dims);
            out[a] = row[a] * Math.cos(angle) - row[b] * Math.sin(angle);
            out[b] = row[a] * Math.sin(angle) + row[b] * Math.cos(angle);
        }
        return out;
    }

    @Test
    void ropeRotatesPairsInBothConventionsWithOffsetScaleAndPartialDims() {
        int heads = 2;
        int length = 5;
        int features = 12;
        for (boolean traditional : new boolean[] {false, true}) {
            for (int dims : new int[] {12, 8}) {
                Array x = RandomArrays.normal(7, 1, DType.FLOAT32, 1, heads, length, features);
                float[] xs = x.toFloatArray();
                float[] got = Jmlx.rope(x, dims, traditional, 10000, 0.5f, 3).toFloatArray();
                for (int h = 0; h < heads; h++) {
                    for (int l = 0; l < length; l++) {
                        int start = (h * length + l) * features;
                        float[] row = java.util.Arrays.copyOfRange(xs, start, start + features);
                        double[] want = rotated(row, dims, traditional, 10000, 0.5, 3, l);
                        for (int k = 0; k < features; k++) {
                            assertEquals(
                                    want[k],
                                    got[start + k],
                                    1e-6,
                                    "traditional=" + traditional + " dims=" + dims + " h=" + h + " l=" + l + " k=" + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void ropeAtPositionZeroIsTheIdentityAndHalfTypesRoundOnce() {
        Array x = RandomArrays.normal(8, 1, DType.BFLOAT16, 1, 1, 4, 8);
        float[] xs = x.toFloatArray();
        float[] got = Jmlx.rope(x, 8, false, 10000, 1, 0).toFloatArray();
        assertEquals(DType.BFLOAT16, Jmlx.rope(x, 8, false, 10000, 1, 0).dtype());
        assertArrayEquals(java.util.Arrays.copyOf(xs, 8), java.util.Arrays.copyOf(got, 8));
        for (int l = 0; l < 4; l++) {
            double[] want = rotated(java.util.Arrays.copyOfRange(xs, l * 8, l * 8 + 8), 8, false, 10000, 1, 0, l);
            for (int k = 0; k < 8; k++) {
                assertEquals(FloatFormats.roundTo(DType.BFLOAT16, (float) want[k]), got[l * 8 + k]);
            }
        }
    }

    @Test
    void ropeChecksItsArguments() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.rope(Array.zeros(DType.FLOAT32, 4, 8), 8, false, 10000, 1, 0));
        assertEquals(
                "[rope] x must have at least 3 dimensions ([..., sequence, features]) but has shape (4,8).",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.rope(Array.zeros(DType.FLOAT32, 1, 4, 8), 7, false, 10000, 1, 0));
        assertEquals(
                "[rope] dims must be a positive even number of at most the last axis of x (8) but is 7.",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.rope(Array.zeros(DType.FLOAT32, 1, 4, 8), 8, false, 10000, 1, -1));
        assertEquals("[rope] offset must be >= 0 but is -1.", e.getMessage());
    }
}
