package io.jmlx.quant.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.quant.QuantizedParts;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Gptq} on random weights and correlated inputs with a few loud channels (as transformer activations have):
 * MLX's layout, a smaller output error {@code ‖X (W − Ŵ)ᵀ‖} than round to nearest (never larger in any row), the
 * same bytes on every run; and the inverse Cholesky factor it walks along.
 */
class GptqTest {
    private static final int K = 256;

    @ParameterizedTest
    @CsvSource({"64,4,float32", "32,3,float16", "128,2,bfloat16", "64,8,float32"})
    void smallerOutputErrorThanRoundToNearest(int g, int b, String dtype) {
        DType t = DType.parse(dtype);
        Array w = MseSearchTest.heavyTailed(g + b, t, 40, K);
        Array x = inputs(7, 600);
        Array h = Jmlx.matmul(Jmlx.matrixTranspose(x), x);
        QuantizationSettings s = new QuantizationSettings(g, b, QuantizationMode.AFFINE);
        QuantizedParts rtn = Jmlx.quantize(w, g, b, "affine", null);
        QuantizedParts gptq = Gptq.quantize(w, h, s);
        MseSearchTest.sameLayout(rtn, gptq);
        QuantizedArray.fromParts(gptq.packed(), gptq.scales(), gptq.biases(), g, b, "affine");
        double[] before = rowErrors(w, x, rtn, s);
        double[] after = rowErrors(w, x, gptq, s);
        double sumBefore = 0;
        double sumAfter = 0;
        for (int r = 0; r < before.length; r++) {
            assertTrue(after[r] <= before[r] * (1 + 1e-4), "row " + r + ": " + after[r] + " > " + before[r]);
            sumBefore += before[r];
            sumAfter += after[r];
        }
        System.out.printf("%s g%d %d-bit: output error rtn %.4g  gptq %.4g%n", dtype, g, b, sumBefore, sumAfter);
        assertTrue(sumAfter < 0.8 * sumBefore, "gptq " + sumAfter + " vs rtn " + sumBefore);
    }

    @Test
    void deterministicOnAnyNumberOfThreads() {
        Array w = MseSearchTest.heavyTailed(2, DType.FLOAT16, 24, K);
        Array x = inputs(3, 300);
        Array h = Jmlx.matmul(Jmlx.matrixTranspose(x), x);
        QuantizationSettings s = new QuantizationSettings(64, 4, QuantizationMode.AFFINE);
        QuantizedParts a = Gptq.quantize(w, h, s);
        QuantizedParts[] b = new QuantizedParts[1];
        KernelThreads.sequentially(() -> b[0] = Gptq.quantize(w, h, s));
        assertArrayEquals(a.packed().toIntArray(), b[0].packed().toIntArray());
        assertArrayEquals(a.scales().toFloatArray(), b[0].scales().toFloatArray());
        assertArrayEquals(a.biases().toFloatArray(), b[0].biases().toFloatArray());
    }

    @Test
    void inverseCholeskyFactorTimesItsTransposeInvertsTheMatrix() {
        int n = 150; // more than two panels of the blocked factorisation
        float[] x = inputs(5, 400).toFloatArray();
        double[] h = new double[n * n];
        for (int r = 0; r < 400; r++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    h[i * n + j] += (double) x[r * K + i] * x[r * K + j];
                }
            }
        }
        double[] u = InverseCholesky.of(h, n);
        double[] inverse = new double[n * n]; // Uᵀ U
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                assertEquals(0, u[i * n + j], "U is upper triangular");
            }
            for (int m = 0; m <= i; m++) {
                double umi = u[m * n + i];
                for (int k = 0; k < n; k++) {
                    inverse[i * n + k] += umi * u[m * n + k];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += inverse[i * n + k] * h[k * n + j];
                }
                assertEquals(i == j ? 1 : 0, v, 1e-8, "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void inverseCholeskyIsTheRowByRowLoopsBitForBit() {
        int n = 420; // large enough for the steps split over the kernel threads
        Random random = new Random(7);
        double[] x = new double[n * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        double[] h = new double[n * n]; // xᵀx + n·I: symmetric positive definite
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    h[i * n + j] += x[r * n + i] * x[r * n + j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            h[i * n + i] += n;
        }
        double[] expected = new double[n * n]; // h with rows and columns reversed, as the factor takes it
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                expected[i * n + j] = h[(n - 1 - i) * n + (n - 1 - j)];
            }
        }
        for (int j = 0; j < n; j++) { // Cholesky, column by column, each dot product in four chains as the factor does
            double l = Math.sqrt(expected[j * n + j] - fourChainDot(expected, j * n, j * n, j));
            expected[j * n + j] = l;
            for (int i = j + 1; i < n; i++) {
                expected[i * n + j] = (expected[i * n + j] - fourChainDot(expected, i * n, j * n, j)) * (1 / l);
            }
        }
        for (int i = 0; i < n; i++) { // its inverse, row by row, the sums with k ascending
            double[] sums = new double[i];
            for (int k = 0; k < i; k++) {
                for (int j = 0; j <= k; j++) {
                    sums[j] += expected[i * n + k] * expected[k * n + j];
                }
            }
            double inv = 1 / expected[i * n + i];
            for (int j = 0; j < i; j++) {
                expected[i * n + j] = -sums[j] * inv;
            }
            expected[i * n + i] = inv;
        }
        double[] u = InverseCholesky.of(h, n);
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                assertEquals(expected[(n - 1 - i) * n + (n - 1 - j)], u[i * n + j], 0.0, "(" + i + ", " + j + ")");
            }
        }
    }

    /** Σ_{k<len} a[x+k]·a[y+k] in four chains by k mod 4, the tail in the first, the chains added pairwise. */
    private static double fourChainDot(double[] a, int x, int y, int len) {
        double[] s = new double[4];
        int k = 0;
        for (; k + 3 < len; k += 4) {
            for (int c = 0; c < 4; c++) {
                s[c] += a[x + k + c] * a[y + k + c];
            }
        }
        for (; k < len; k++) {
            s[0] += a[x + k] * a[y + k];
        }
        return (s[0] + s[1]) + (s[2] + s[3]);
    }

    @Test
    void refusesShapesThatDoNotFit() {
        Array w = MseSearchTest.heavyTailed(1, DType.FLOAT32, 4, 128);
        Array h = Array.zeros(DType.FLOAT32, 64, 64);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Gptq.quantize(w, h, new QuantizationSettings(64, 4, QuantizationMode.AFFINE)));
        assertEquals("[gptq] needs a weight [N, K] and a Hessian [K, K] but got (4,128) and (64,64).", e.getMessage());
    }

    /** {@code rows × K} inputs: correlated channels, a few of them much louder than the rest. */
    static Array inputs(long seed, int rows) {
        Random random = new Random(seed);
        float[] mix = new float[K];
        float[] gain = new float[K];
        for (int j = 0; j < K; j++) {
            mix[j] = (float) random.nextGaussian();
            gain[j] = j % 37 == 0 ? 20 : 1 + random.nextFloat();
        }
        float[] v = new float[rows * K];
        for (int r = 0; r < rows; r++) {
            double common = random.nextGaussian();
            for (int j = 0; j < K; j++) {
                v[r * K + j] = (float) ((0.7 * common * mix[j] + random.nextGaussian()) * gain[j]);
            }
        }
        return Array.of(v, DType.FLOAT32, rows, K);
    }

    /** Per row of W, {@code ‖X (w − ŵ)‖²}. */
    private static double[] rowErrors(Array w, Array x, QuantizedParts q, QuantizationSettings s) {
        Array decoded = Jmlx.dequantize(
                q.packed(), q.scales(), q.biases(), s.groupSize(), s.bits(), "affine", null, DType.FLOAT32, null);
        Array diff = Jmlx.matmul(x, Jmlx.matrixTranspose(Jmlx.subtract(w.astype(DType.FLOAT32), decoded)));
        float[] d = diff.toFloatArray();
        int rows = w.shape()[0];
        double[] out = new double[rows];
        for (int i = 0; i < d.length; i++) {
            out[i % rows] += (double) d[i] * d[i];
        }
        return out;
    }
}
