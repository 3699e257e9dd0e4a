package io.jmlx.gpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.backend.BinaryFunction;
import io.jmlx.backend.UnaryFunction;
import io.jmlx.gpu.testing.OnBothDevices;
import io.jmlx.gpu.testing.Ulps;
import io.jmlx.stream.StreamOrDevice;
import org.junit.jupiter.api.Test;

/**
 * Elementwise math on the GPU against the CPU kernels, on random values of odd-sized arrays plus the special values
 * (zeros, infinities, NaN, subnormal-adjacent and large magnitudes).
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>Unary functions: at most 1 ULP of the type. Both devices round once from a value far more accurate than the
 *       type (the CPU from double precision, the GPU from float-float, ~2^-44 relative), so they differ only where
 *       the exact value lies within ~2^-20 ULP of a rounding midpoint; the GPU never uses the driver's exp, log or
 *       tanh (Vulkan specifies those only to a few ULP or in absolute error). gelu also allows |x|·2^-44 where
 *       1 + erf(x/√2) cancels (x below −4), and gelu_approx where 1 + tanh(·) does: there both devices' results
 *       carry an absolute error of that size.
 *   <li>Binary arithmetic: bit for bit. Vulkan rounds add, subtract and multiply correctly (the kernel forbids
 *       contraction into fma) and the quotient is computed correctly rounded in integer arithmetic.
 * </ul>
 */
class ElementwiseOnGpuTest {
    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};

    @Test
    void everyUnaryFunctionIsWithinOneUlpOfTheCpu() {
        OnBothDevices both = OnBothDevices.get();
        for (UnaryFunction f : UnaryFunction.values()) {
            for (DType t : FLOATS) {
                float[] values = OnBothDevices.awkwardValues(31 + f.ordinal(), 1001, scale(f));
                Array x = Array.of(values, t, 7, 143);
                Array cpu = unary(f, x, both.cpu());
                Array gpu = unary(f, x, both.gpu());
                double[] allowance = new double[values.length];
                if (f == UnaryFunction.GELU || f == UnaryFunction.GELU_APPROX) {
                    float[] xs = x.toFloatArray();
                    for (int i = 0; i < xs.length; i++) {
                        allowance[i] = xs[i] < -4 ? Math.abs(xs[i]) * 0x1p-44 : 0;
                    }
                }
                Ulps.Worst worst = Ulps.max(cpu, gpu, allowance);
                both.report("unary " + f.mlxName() + " " + t, worst);
                assertTrue(worst.ulps() <= 1, f.mlxName() + " " + t + ": " + worst);
            }
        }
    }

    /** Magnitudes that exercise each function's whole range without overflowing every value. */
    private static float scale(UnaryFunction f) {
        return switch (f) {
            case EXP -> 30;
            case SQUARE -> 1e10f;
            case LOG, SQRT, RSQRT -> 1e20f;
            default -> 12;
        };
    }

    private static Array unary(UnaryFunction f, Array x, StreamOrDevice s) {
        return switch (f) {
            case EXP -> Jmlx.exp(x, s);
            case LOG -> Jmlx.log(x, s);
            case SQRT -> Jmlx.sqrt(x, s);
            case RSQRT -> Jmlx.rsqrt(x, s);
            case TANH -> Jmlx.tanh(x, s);
            case ERF -> Jmlx.erf(x, s);
            case SIGMOID -> Jmlx.sigmoid(x, s);
            case SQUARE -> Jmlx.square(x, s);
            case NEGATIVE -> Jmlx.negative(x, s);
            case SILU -> Jmlx.silu(x, s);
            case GELU -> Jmlx.gelu(x, s);
            case GELU_APPROX -> Jmlx.geluApprox(x, s);
        };
    }

    @Test
    void binaryArithmeticWithBroadcastingGivesTheCpuBits() {
        OnBothDevices both = OnBothDevices.get();
        int[][][] shapes = {
            {{7, 143}, {7, 143}},
            {{5, 1, 9}, {3, 1}},
            {{}, {4, 5}},
            {{2, 3, 4, 5}, {5}},
            {{3, 1, 4, 1, 2, 1, 3}, {1, 5, 1, 3, 1, 2, 1}},
            {{1}, {1}},
            {{0, 3}, {3}}
        };
        int seed = 0;
        for (BinaryFunction f : BinaryFunction.values()) {
            for (DType t : FLOATS) {
                for (int[][] pair : shapes) {
                    Array a = both.random(seed++, t, 1e3f, pair[0]);
                    Array b = both.random(seed++, t, 1e3f, pair[1]);
                    Array cpu = binary(f, a, b, both.cpu());
                    Array gpu = binary(f, a, b, both.gpu());
                    assertArrayEquals(cpu.shape(), gpu.shape());
                    assertArrayEquals(
                            cpu.toBytes(),
                            gpu.toBytes(),
                            f.mlxName() + " " + t + " " + java.util.Arrays.deepToString(pair));
                }
            }
        }
        both.report("binary (every function, type and broadcast)", "none (bit for bit)");
    }

    private static Array binary(BinaryFunction f, Array a, Array b, StreamOrDevice s) {
        return switch (f) {
            case ADD -> Jmlx.add(a, b, s);
            case SUBTRACT -> Jmlx.subtract(a, b, s);
            case MULTIPLY -> Jmlx.multiply(a, b, s);
            case DIVIDE -> Jmlx.divide(a, b, s);
        };
    }
}
