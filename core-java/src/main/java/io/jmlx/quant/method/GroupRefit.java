package io.jmlx.quant.method;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
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
 * other; this re-fits the grid they sit on to the same objective. The products with {@code H} run as matrix products,
 * a block of rows at a time.
 */
final class GroupRefit {
    /** Floats of the per-block product {@code [groups, rows, K]}: bounds the memory a block takes. */
    private static final long BLOCK_FLOATS = 1L << 25;

    private GroupRefit() {}

    /**
     * The parts of {@code q} with every row's scales and biases re-fitted for {@code h} ({@code [K, K]} float32,
     * symmetric positive definite), codes unchanged.
     */
    static QuantizedParts refit(Array w, QuantizedParts q, QuantizationSettings settings, Array h) {
        int rows = w.shape()[0];
        int cols = w.shape()[1];
        int g = settings.groupSize();
        int groups = cols / g;
        DType dtype = w.dtype();
        float[] hf = h.toFloatArray();
        // Row-independent: hSums[i][c] = Σ_{j∈c} H_ij, and the bias-bias block Σ_{i∈a, j∈c} H_ij.
        float[] hSums = new float[cols * groups];
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                hSums[i * groups + j / g] += hf[i * cols + j];
            }
        }
        double[] biasBlock = new double[groups * groups];
        for (int i = 0; i < cols; i++) {
            for (int c = 0; c < groups; c++) {
                biasBlock[(i / g) * groups + c] += hSums[i * groups + c];
            }
        }
        Array hByGroup = Jmlx.transpose(h.reshape(cols, groups, g), 1, 2, 0); // [groups, g, K]: H[j][i], j in group
        Array x = w.astype(DType.FLOAT32);
        float[] hx = Jmlx.matmul(x, h).toFloatArray(); // (H w)_i per row: H is symmetric
        float[] codes = unpacked(q.packed(), rows, cols, settings.bits());
        AffineLayout out = new AffineLayout(w, settings);
        int block = (int) Math.max(1, Math.min(rows, BLOCK_FLOATS / ((long) groups * cols)));
        for (int from = 0; from < rows; from += block) {
            int n = Math.min(block, rows - from);
            float[] chunk = java.util.Arrays.copyOfRange(codes, from * cols, (from + n) * cols);
            Array qByGroup = Jmlx.transpose(Array.of(chunk, DType.FLOAT32, n, groups, g), 1, 0, 2); // [groups, n, g]
            // t[c][r][i] = Σ_{j∈c} H_ij q_rj
            float[] t = Jmlx.matmul(qByGroup, hByGroup).toFloatArray();
            int first = from;
            KernelThreads.forEach(
                    n, r -> solveRow(first + r, r, n, cols, g, groups, dtype, codes, hx, t, hSums, biasBlock, q, out));
        }
        return out.parts();
    }

    /** The normal equations of one row, solved and rounded, written to {@code out}. */
    private static void solveRow(
            int row,
            int r,
            int n,
            int cols,
            int g,
            int groups,
            DType dtype,
            float[] codes,
            float[] hx,
            float[] t,
            float[] hSums,
            double[] biasBlock,
            QuantizedParts q,
            AffineLayout out) {
        int size = 2 * groups;
        double[] a = new double[size * size];
        double[] c = new double[size];
        int base = row * cols;
        for (int i = 0; i < cols; i++) {
            int ga = i / g;
            double qi = codes[base + i];
            for (int gc = 0; gc < groups; gc++) {
                double tq = t[(gc * n + r) * cols + i];
                a[ga * size + gc] += qi * tq; // scale-scale
                a[ga * size + groups + gc] += qi * hSums[i * groups + gc]; // scale-bias
                a[(groups + ga) * size + gc] += tq; // bias-scale
            }
            c[ga] += qi * hx[base + i];
            c[groups + ga] += hx[base + i];
        }
        for (int ga = 0; ga < groups; ga++) {
            for (int gc = 0; gc < groups; gc++) {
                a[(groups + ga) * size + groups + gc] = biasBlock[ga * groups + gc];
            }
        }
        float[] scales = new float[groups];
        float[] biases = new float[groups];
        Elements.readRow(q.scales().data(), dtype, (long) row * groups, scales, groups);
        Elements.readRow(q.biases().data(), dtype, (long) row * groups, biases, groups);
        double[] theta = solve(a, c, size);
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
        int[] rowCodes = new int[cols];
        for (int i = 0; i < cols; i++) {
            rowCodes[i] = (int) codes[base + i];
        }
        out.putRow(row, rowCodes, scales, biases);
    }

    /** Every code of {@code packed} as a float, row-major. */
    private static float[] unpacked(Array packed, int rows, int cols, int bits) {
        MemorySegment data = packed.data();
        long wordsPerRow = BitPacking.words(cols, bits);
        float[] out = new float[rows * cols];
        int[] row = new int[cols];
        for (int r = 0; r < rows; r++) {
            BitPacking.unpackRow(data, r * wordsPerRow, cols, bits, row);
            for (int i = 0; i < cols; i++) {
                out[r * cols + i] = row[i];
            }
        }
        return out;
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
