package io.jmlx.gpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.gpu.testing.OnBothDevices;
import org.junit.jupiter.api.Test;

/**
 * Dense matmul on the GPU (the matrix-vector kernel up to 8 rows, beyond it the tiled kernel, or the quad kernel for
 * float32 whose n and k are multiples of 4) against the CPU kernels, for float32, float16 and bfloat16, odd sizes on
 * both sides of the kernels' tile and row limits, and batches.
 *
 * <p>Tolerance: {@code |gpu − cpu| ≤ 2k·2^-24·Σ|a||b| + 2u·|cpu|} per element, u the unit roundoff of the type. Both
 * devices sum k products in float32 (the CPU in its vector lanes' order, possibly with fma; the GPU in its own), each
 * within {@code k·2^-24·Σ|a||b|} of the exact sum (the standard bound), and round once to the type, which may fall
 * on either side of a rounding boundary for the half types.
 */
class MatmulOnGpuTest {

    @Test
    void productsOfEverySizeAreWithinTheFloat32SummationBound() {
        OnBothDevices both = OnBothDevices.get();
        double worst = 0;
        int seed = 500;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            for (int m : new int[] {1, 3, 8, 9, 33, 70}) {
                for (int k : new int[] {1, 17, 64, 100}) {
                    for (int n : new int[] {1, 5, 36, 70}) { // 36: float32 in quads (matmul_vec4) when 4 | k
                        Array a = both.random(seed++, t, 1, m, k);
                        Array b = both.random(seed++, t, 1, k, n);
                        worst = Math.max(
                                worst, check(t, a, b, Jmlx.matmul(a, b, both.cpu()), Jmlx.matmul(a, b, both.gpu())));
                    }
                }
            }
        }
        both.report("matmul", String.format("%.3f of the bound", worst));
    }

    @Test
    void batchedAndBroadcastProductsMatchTooAndFloat64RunsOnTheCpuKernels() {
        OnBothDevices both = OnBothDevices.get();
        Array a = both.random(1, DType.FLOAT32, 1, 2, 3, 9, 31);
        Array b = both.random(2, DType.FLOAT32, 1, 3, 31, 13);
        check(DType.FLOAT32, a, b, Jmlx.matmul(a, b, both.cpu()), Jmlx.matmul(a, b, both.gpu()));
        Array v = both.random(3, DType.BFLOAT16, 1, 31);
        check(
                DType.BFLOAT16,
                v.reshape(1, 31),
                Jmlx.astype(b, DType.BFLOAT16, both.cpu()).reshape(3, 31, 13),
                Jmlx.matmul(v, Jmlx.astype(b, DType.BFLOAT16), both.cpu()).reshape(3, 1, 13),
                Jmlx.matmul(v, Jmlx.astype(b, DType.BFLOAT16), both.gpu()).reshape(3, 1, 13));
        Array a64 = Jmlx.astype(a, DType.FLOAT64, both.cpu());
        Array b64 = Jmlx.astype(b, DType.FLOAT64, both.cpu());
        assertArrayEquals(
                Jmlx.matmul(a64, b64, both.cpu()).toBytes(),
                Jmlx.matmul(a64, b64, both.gpu()).toBytes());
    }

    /**
     * Checks every element of {@code gpu} against {@code cpu} ({@code [..., m, n]} products of {@code a}
     * {@code [..., m, k]} and {@code b} {@code [..., k, n]}, batches broadcast) and returns the largest share of
     * the bound used.
     */
    private static double check(DType t, Array a, Array b, Array cpu, Array gpu) {
        int k = a.dim(-1);
        int m = a.dim(-2);
        int n = b.dim(-1);
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        float[] want = cpu.toFloatArray();
        float[] got = gpu.toFloatArray();
        long aBatches = x.length / ((long) m * k);
        long bBatches = y.length / ((long) k * n);
        long batches = want.length / ((long) m * n);
        double u = t == DType.FLOAT32 ? 0x1p-24 : (t == DType.FLOAT16 ? 0x1p-11 : 0x1p-8);
        double worst = 0;
        for (int batch = 0; batch < batches; batch++) {
            int ab = (int) (batch % aBatches);
            int bb = (int) (batch % bBatches);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        magnitude += Math.abs((double) x[(ab * m + i) * k + p] * y[(bb * k + p) * n + j]);
                    }
                    int at = (batch * m + i) * n + j;
                    double bound = 2.0 * k * 0x1p-24 * magnitude + 2 * u * Math.abs(want[at]);
                    double diff = Math.abs((double) want[at] - got[at]);
                    assertTrue(
                            diff <= bound,
                            t + " " + m + "x" + k + "x" + n + " element " + at + ": cpu " + want[at] + ", gpu "
                                    + got[at] + ", bound " + bound);
                    worst = Math.max(worst, bound == 0 ? 0 : diff / bound);
                }
            }
        }
        return worst;
    }
}
