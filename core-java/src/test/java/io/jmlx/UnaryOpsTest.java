package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.kernels.FloatFormats;
import io.jmlx.testing.RandomArrays;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The elementwise math ops and activations against plain double-precision formulas written here (erf by numerical
 * integration): float32 within a few float ulps (or 1e-12, where the reference itself cancels), half types within
 * one ulp of their own rounding.
 */
class UnaryOpsTest {
    enum Op {
        EXP(Jmlx::exp, Math::exp, false),
        LOG(Jmlx::log, Math::log, true),
        SQRT(Jmlx::sqrt, Math::sqrt, true),
        RSQRT(Jmlx::rsqrt, x -> 1 / Math.sqrt(x), true),
        TANH(Jmlx::tanh, Math::tanh, false),
        ERF(Jmlx::erf, UnaryOpsTest::integratedErf, false),
        SIGMOID(Jmlx::sigmoid, x -> 1 / (1 + Math.exp(-x)), false),
        SQUARE(Jmlx::square, x -> x * x, false),
        NEGATIVE(Jmlx::negative, x -> -x, false),
        SILU(Jmlx::silu, x -> x / (1 + Math.exp(-x)), false),
        GELU(Jmlx::gelu, x -> x * (1 + integratedErf(x / Math.sqrt(2))) / 2, false),
        GELU_APPROX(
                Jmlx::geluApprox,
                x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
                false);

        final UnaryOperator<Array> op;
        final DoubleUnaryOperator reference;
        final boolean positiveInput;

        Op(UnaryOperator<Array> op, DoubleUnaryOperator reference, boolean positiveInput) {
            this.op = op;
            this.reference = reference;
            this.positiveInput = positiveInput;
        }
    }

    /** {@code 2/√π ∫₀ˣ e^(−t²) dt} by Simpson's rule on 2000 intervals: independent of the implementation's series. */
    static double integratedErf(double x) {
        int n = 2000;
        double h = x / n;
        double sum = 1 + Math.exp(-x * x);
        for (int i = 1; i < n; i++) {
            double t = i * h;
            sum += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * sum * h / 3;
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void matchesTheFormulaInEveryFloatType(Op op) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            float[] v = RandomArrays.normal(11, 2.5f, DType.FLOAT32, 200).toFloatArray();
            if (op.positiveInput) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.abs(v[i]) + 0.01f;
                }
            }
            Array a = Array.of(v, t, 4, 50);
            Array y = op.op.apply(a);
            assertArrayEquals(new int[] {4, 50}, y.shape());
            assertEquals(t, y.dtype());
            float[] x = a.toFloatArray();
            float[] got = y.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                float want = FloatFormats.roundTo(t, (float) op.reference.applyAsDouble(x[i]));
                float ulp = t == DType.FLOAT32 ? 4 * Math.ulp(want) : halfUlp(t, want);
                assertEquals(want, got[i], Math.max(ulp, 1e-12f), op + " " + t + " of " + x[i]);
            }
        }
    }

    private static float halfUlp(DType t, float v) {
        int bits = t == DType.FLOAT16 ? 10 : 7;
        float magnitude = Math.max(Math.abs(v), t == DType.FLOAT16 ? 6.1e-5f : Float.MIN_NORMAL);
        return Math.scalb(1f, Math.getExponent(magnitude) - bits);
    }

    @Test
    void erfReachesItsLimitsAndKeepsItsSign() {
        float[] got = Jmlx.erf(Array.of(new float[] {0, 3, -3, 5, -10, Float.POSITIVE_INFINITY, Float.NaN}, 7))
                .toFloatArray();
        assertEquals(0, got[0]);
        assertEquals((float) integratedErf(3), got[1], 1e-7f);
        assertEquals(-got[1], got[2]);
        assertEquals(1, got[3]);
        assertEquals(-1, got[4]);
        assertEquals(1, got[5]);
        assertTrue(Float.isNaN(got[6]));
    }

    @Test
    void specialValuesFollowIeee() {
        float[] x = {0, -1, Float.POSITIVE_INFINITY};
        assertArrayEquals(
                new float[] {Float.NEGATIVE_INFINITY, Float.NaN, Float.POSITIVE_INFINITY},
                Jmlx.log(Array.of(x, 3)).toFloatArray());
        assertArrayEquals(
                new float[] {Float.POSITIVE_INFINITY, Float.NaN, 0},
                Jmlx.rsqrt(Array.of(x, 3)).toFloatArray());
        assertArrayEquals(
                new float[] {0.5f, 0, 1},
                Jmlx.sigmoid(Array.of(new float[] {0, -200, 200}, 3)).toFloatArray());
    }

    @Test
    void scalarsAndEmptyArraysKeepTheirShape() {
        assertArrayEquals(
                new float[] {4},
                Jmlx.square(Array.of(new float[] {-2}, new int[0])).toFloatArray());
        assertArrayEquals(
                new int[] {0, 3}, Jmlx.exp(Array.zeros(DType.FLOAT32, 0, 3)).shape());
    }

    @Test
    void nonFloatInputsAreRejectedNamingTheOpAndType() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Jmlx.exp(Array.of(new int[] {1, 2}, DType.INT32, 2)));
        assertEquals(
                "[exp] a must be float32, float16 or bfloat16 but has type int32; convert it first with astype.",
                e.getMessage());
    }
}
