package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.kernels.FloatFormats;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;

/**
 * {@code sum}, {@code mean}, {@code max}, {@code logsumexp}, {@code argmax} and {@code softmax} along every axis of
 * a 3-D array against loops over a double-precision reference; keepdims, ties, NaN, infinities, large values and
 * argument errors.
 */
class ReductionsTest {
    private static final int[] SHAPE = {2, 3, 4};

    private interface Reduction {
        Array apply(Array a, int axis, boolean keepdims);
    }

    /** The values along {@code axis} of a row-major {@link #SHAPE} array, for the output position {@code (i, j)}. */
    private static double[] line(float[] x, int axis, int i, int j) {
        double[] line = new double[SHAPE[axis]];
        for (int k = 0; k < line.length; k++) {
            int[] c = switch (axis) {
                case 0 -> new int[] {k, i, j};
                case 1 -> new int[] {i, k, j};
                default -> new int[] {i, j, k};
            };
            line[k] = x[(c[0] * SHAPE[1] + c[1]) * SHAPE[2] + c[2]];
        }
        return line;
    }

    private static void check(
            Reduction op, java.util.function.ToDoubleFunction<double[]> reference, DType t, float tolerance) {
        Array a = RandomArrays.normal(5, 3, t, SHAPE);
        float[] x = a.toFloatArray();
        for (int axis = -1; axis < 3; axis++) {
            int ax = axis < 0 ? axis + 3 : axis;
            int[] rest = ax == 0 ? new int[] {3, 4} : ax == 1 ? new int[] {2, 4} : new int[] {2, 3};
            Array kept = op.apply(a, axis, true);
            Array dropped = op.apply(a, axis, false);
            int[] keptShape = SHAPE.clone();
            keptShape[ax] = 1;
            assertArrayEquals(keptShape, kept.shape());
            assertArrayEquals(rest, dropped.shape());
            float[] got = dropped.dtype().isInteger() ? toFloats(dropped.toIntArray()) : dropped.toFloatArray();
            assertArrayEquals(got, kept.dtype().isInteger() ? toFloats(kept.toIntArray()) : kept.toFloatArray());
            for (int i = 0; i < rest[0]; i++) {
                for (int j = 0; j < rest[1]; j++) {
                    double want = reference.applyAsDouble(line(x, ax, i, j));
                    float expected = dropped.dtype().isInteger() ? (float) want : FloatFormats.roundTo(t, (float) want);
                    assertEquals(expected, got[i * rest[1] + j], tolerance, "axis " + axis + " at " + i + "," + j);
                }
            }
        }
    }

    private static float[] toFloats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    @Test
    void reduceAlongEveryAxisWithAndWithoutKeepdims() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            float tol = t == DType.FLOAT32 ? 1e-6f : t == DType.FLOAT16 ? 1e-2f : 1e-1f;
            check(Jmlx::sum, ReductionsTest::sum, t, tol);
            check(Jmlx::mean, v -> sum(v) / v.length, t, tol);
            check(Jmlx::max, ReductionsTest::max, t, 0);
            check(
                    Jmlx::logsumexp,
                    v -> {
                        double s = 0;
                        for (double x : v) {
                            s += Math.exp(x);
                        }
                        return Math.log(s);
                    },
                    t,
                    tol);
            check(
                    Jmlx::argmax,
                    v -> {
                        int best = 0;
                        for (int k = 1; k < v.length; k++) {
                            best = v[k] > v[best] ? k : best;
                        }
                        return best;
                    },
                    t,
                    0);
        }
    }

    @Test
    void argmaxIsUint32AndTakesTheFirstOfTies() {
        Array a = Array.of(new float[] {1, 5, 5, 2, -1, -1, -1, -1}, 2, 4);
        Array idx = Jmlx.argmax(a, 1, false);
        assertEquals(DType.UINT32, idx.dtype());
        assertArrayEquals(new int[] {1, 0}, idx.toIntArray());
    }

    @Test
    void logsumexpAndSoftmaxAreStableForLargeValuesAndInfinities() {
        Array big = Array.of(new float[] {1000, 1000, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2, 2);
        float[] lse = Jmlx.logsumexp(big, -1, false).toFloatArray();
        assertEquals(1000 + (float) Math.log(2), lse[0], 1e-4f);
        assertEquals(Float.NEGATIVE_INFINITY, lse[1]);
        float[] sm = Jmlx.softmax(big, -1).toFloatArray();
        assertArrayEquals(new float[] {0.5f, 0.5f}, java.util.Arrays.copyOf(sm, 2));
        assertTrue(Float.isNaN(sm[2]) && Float.isNaN(sm[3]), "a line of -inf gives NaN, as MLX");
        float[] withNan =
                Jmlx.max(Array.of(new float[] {1, Float.NaN, 3}, 3), 0, false).toFloatArray();
        assertTrue(Float.isNaN(withNan[0]));
    }

    @Test
    void softmaxMatchesTheFormulaAlongAnyAxis() {
        for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            Array a = RandomArrays.normal(9, 4, t, SHAPE);
            float[] x = a.toFloatArray();
            for (int axis : new int[] {0, 1, -1}) {
                int ax = axis < 0 ? axis + 3 : axis;
                Array y = Jmlx.softmax(a, axis);
                assertEquals(t, y.dtype());
                float[] got = y.toFloatArray();
                float[] sums = Jmlx.sum(y.astype(DType.FLOAT32), axis, false).toFloatArray();
                for (float s : sums) {
                    assertEquals(1, s, t == DType.FLOAT32 ? 1e-6f : 2e-2f);
                }
                int[] strides = {12, 4, 1};
                for (int flat = 0; flat < x.length; flat++) {
                    int[] c = {flat / 12, flat / 4 % 3, flat % 4};
                    double denominator = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < SHAPE[ax]; k++) {
                        max = Math.max(max, x[flat + (k - c[ax]) * strides[ax]]);
                    }
                    for (int k = 0; k < SHAPE[ax]; k++) {
                        denominator += Math.exp(x[flat + (k - c[ax]) * strides[ax]] - max);
                    }
                    float want = FloatFormats.roundTo(t, (float) (Math.exp(x[flat] - max) / denominator));
                    assertEquals(want, got[flat], t == DType.FLOAT32 ? 1e-7f : 0, "axis " + axis + " at " + flat);
                }
            }
        }
    }

    @Test
    void sumOfAnEmptyAxisIsZeroAndMaxOfOneIsAnError() {
        Array empty = Array.zeros(DType.FLOAT32, 3, 0);
        assertArrayEquals(new float[] {0, 0, 0}, Jmlx.sum(empty, 1, false).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jmlx.max(empty, 1, false));
        assertEquals("[max] cannot reduce axis 1 of shape (3,0): it is empty.", e.getMessage());
    }

    @Test
    void badAxesAndTypesAreRejected() {
        Array a = Array.zeros(DType.FLOAT32, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jmlx.sum(a, 2, false));
        assertEquals(
                "[sum] axis 2 is out of range for an array with 2 dimensions; it must be in [-2, 2).", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Jmlx.softmax(a, -3));
        assertEquals(
                "[softmax] axis -3 is out of range for an array with 2 dimensions; it must be in [-2, 2).",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Jmlx.argmax(Array.of(new int[] {1}, DType.INT32, 1), 0, false));
        assertEquals(
                "[argmax] a must be float32, float16 or bfloat16 but has type int32; convert it first with astype.",
                e.getMessage());
    }
}
