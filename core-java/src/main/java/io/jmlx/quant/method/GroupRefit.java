package io.jmlx.quant.method;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import java.lang.foreign.MemorySegment;

/**
 * With a row's codes fixed, the scales and biases of all its groups that minimise {@code (w − ŵ)ᵀ H (w − ŵ)}:
 * {@code ŵ} is linear in them, so they solve one small least-squares problem per row ({@code 2·K/g} unknowns,
 * coupled through {@code H}), and are then rounded to the weight's dtype. GPTQ picks codes that compensate each
 * other; this re-fits the grid they sit on to the same objective.
 */
final class GroupRefit {
    private GroupRefit() {}

    /**
     * The parts of {@code q} with every row's scales and biases re-fitted for {@code h} ({@code K × K}, row-major,
     * positive definite), codes unchanged.
     */
    static QuantizedParts refit(Array w, QuantizedParts q, QuantizationSettings settings, float[] h) {
        int rows = w.shape()[0];
        int cols = w.shape()[1];
        int g = settings.groupSize();
        int groups = cols / g;
        int n = 2 * groups;
        DType dtype = w.dtype();
        // Row-independent: hSums[i][c] = Σ_{j∈c} H_ij and the bias-bias block Σ_{i∈a, j∈c} H_ij.
        float[] hSums = new float[cols * groups];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                hSums[i * groups + j / g] += h[i * cols + j];
            }
        }
        double[] biasBlock = new double[groups * groups];
        for (int i = 0; i < cols; i++) {
            for (int c = 0; c < groups; c++) {
                biasBlock[(i / g) * groups + c] += hSums[i * groups + c];
            }
        }
        long wordsPerRow = BitPacking.words(cols, settings.bits());
        MemorySegment packed = q.packed().data();
        MemorySegment weights = w.data();
        AffineLayout out = new AffineLayout(w, settings);
        KernelThreads.forEach(rows, r -> {
            float[] x = new float[cols];
            int[] codes = new int[cols];
            float[] scales = new float[groups];
            float[] biases = new float[groups];
            Elements.readRow(weights, dtype, (long) r * cols, x, cols);
            BitPacking.unpackRow(packed, r * wordsPerRow, cols, settings.bits(), codes);
            Elements.readRow(q.scales().data(), dtype, (long) r * groups, scales, groups);
            Elements.readRow(q.biases().data(), dtype, (long) r * groups, biases, groups);
            // Normal equations A θ = c with θ = (scales, biases): A = Jᵀ H J, c = Jᵀ H x.
            double[] a = new double[n * n];
            double[] c = new double[n];
            double[] hq = new double[groups];
            for (int i = 0; i < cols; i++) {
                double hx = 0;
                int row = i * cols;
                for (int gc = 0, j = 0; gc < groups; gc++) {
                    double acc = 0;
                    for (int end = j + g; j < end; j++) {
                        double hij = h[row + j];
                        acc += hij * codes[j];
                        hx += hij * x[j];
                    }
                    hq[gc] = acc;
                }
                int ga = i / g;
                double qi = codes[i];
                for (int gc = 0; gc < groups; gc++) {
                    a[ga * n + gc] += qi * hq[gc]; // scale-scale
                    a[ga * n + groups + gc] += qi * hSums[i * groups + gc]; // scale-bias
                    a[(groups + ga) * n + gc] += hq[gc]; // bias-scale
                }
                c[ga] += qi * hx;
                c[groups + ga] += hx;
            }
            for (int ga = 0; ga < groups; ga++) {
                for (int gc = 0; gc < groups; gc++) {
                    a[(groups + ga) * n + groups + gc] = biasBlock[ga * groups + gc];
                }
            }
            double[] theta = solve(a, c, n);
            if (theta != null) {
                for (int k = 0; k < groups; k++) {
                    float s = FloatFormats.roundTo(dtype, (float) theta[k]);
                    float b = FloatFormats.roundTo(dtype, (float) theta[groups + k]);
                    if (Float.isFinite(s) && Float.isFinite(b)) {
                        scales[k] = s;
                        biases[k] = b;
                    }
                }
            }
            out.putRow(r, codes, scales, biases);
        });
        return out.parts();
    }

    /**
     * The solution of the symmetric positive semi-definite system {@code a θ = c} (Cholesky with a tiny ridge), or
     * {@code null} when it is singular.
     */
    private static double[] solve(double[] a, double[] c, int n) {
        double trace = 0;
        for (int i = 0; i < n; i++) {
            trace += a[i * n + i];
        }
        double ridge = 1e-10 * trace / n;
        for (int i = 0; i < n; i++) {
            a[i * n + i] += ridge;
        }
        try {
            InverseCholesky.choleskyLowerInPlace(a, n);
        } catch (ArithmeticException e) {
            return null;
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = c[i];
            for (int k = 0; k < i; k++) {
                s -= a[i * n + k] * y[k];
            }
            y[i] = s / a[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= a[k * n + i] * y[k];
            }
            y[i] = s / a[i * n + i];
        }
        return y;
    }
}
