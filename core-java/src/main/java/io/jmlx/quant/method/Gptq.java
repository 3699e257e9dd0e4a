package io.jmlx.quant.method;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * GPTQ (Frantar et al., 2022) in MLX's affine layout: the calibrated method {@code gptq}. It minimises the error of
 * the layer's outputs on calibration inputs, {@code Σ_rows (w − ŵ)ᵀ H (w − ŵ)} with {@code H = Σ x xᵀ} over the
 * inputs {@code x} the layer saw. Columns are quantized in order; the error each one leaves is spread over the
 * columns not yet quantized through the inverse Hessian's Cholesky factor, so they compensate for it. Each group's
 * scale and bias are fitted ({@link AffineGroupSearch}, rounded to the weight's dtype) when the walk reaches it,
 * on the weights as compensated so far, weighing each column by how much its error costs. Then, codes fixed, each
 * row's scales and biases are re-fitted to the same objective ({@link GroupRefit}). Finally every row keeps whichever
 * of the re-fitted, the plain GPTQ and round to nearest's results has the smallest output error, so the method is
 * never worse than round to nearest on the error it optimises.
 *
 * <pre>{@code
 * Array h = ...;   // float32 [K, K]: Σ xᵀx over the calibration inputs of a linear layer with weight [N, K]
 * QuantizedParts q = Gptq.quantize(weight, h, new QuantizationSettings(64, 4, QuantizationMode.AFFINE));
 * }</pre>
 */
public final class Gptq {
    /** The method's name. */
    public static final String NAME = "gptq";

    /**
     * The damping added to the Hessian's diagonal, as a fraction of its mean diagonal. GPTQ's paper uses 0.01; with
     * the few thousand calibration tokens a small model gets, 0.1 generalised better to held-out text (MiniLM 4-bit:
     * mean cosine 0.9880 against 0.9873; 0.3 and 1.0 were worse again).
     */
    public static final double DEFAULT_DAMPING = 0.1;

    private static final int ROWS_PER_TASK = 8;

    private Gptq() {}

    /** {@link #quantize(Array, Array, QuantizationSettings, double)} with {@link #DEFAULT_DAMPING}. */
    public static QuantizedParts quantize(Array w, Array hessian, QuantizationSettings settings) {
        return quantize(w, hessian, settings, DEFAULT_DAMPING);
    }

    /**
     * Quantizes the weight {@code w} ({@code [N, K]}, a linear layer's {@code [out, in]}) for inputs whose second
     * moments are {@code hessian} ({@code [K, K]}, {@code Σ x xᵀ}; any positive multiple gives the same result).
     * Columns no input ever reached (zero diagonal) are quantized on their own.
     *
     * @param damping added to the diagonal, times its mean, to keep the factorisation stable (GPTQ's 0.01)
     * @throws IllegalArgumentException if the settings are not affine, the shapes do not fit, or the damping is
     *                                  negative
     */
    public static QuantizedParts quantize(Array w, Array hessian, QuantizationSettings settings, double damping) {
        AffineLayout.check(NAME, w, settings);
        int[] shape = w.shape();
        int cols = shape[shape.length - 1];
        if (shape.length != 2 || !Arrays.equals(hessian.shape(), new int[] {cols, cols})) {
            throw new IllegalArgumentException("[" + NAME + "] needs a weight [N, K] and a Hessian [K, K] but got "
                    + Shape.format(shape) + " and " + Shape.format(hessian.shape()) + ".");
        }
        if (!(damping >= 0)) {
            throw new IllegalArgumentException("[" + NAME + "] damping must be >= 0 but is " + damping + ".");
        }
        double[] h = dampedHessian(hessian, cols, damping);
        double[] factor = InverseCholesky.of(h, cols);
        float[] u = new float[cols * cols];
        float[] importance = new float[cols];
        for (int i = 0; i < cols; i++) {
            for (int j = i; j < cols; j++) {
                u[i * cols + j] = (float) factor[i * cols + j];
            }
            double d = factor[i * cols + i];
            importance[i] = (float) (1 / (d * d));
        }
        QuantizedParts gptq = walk(w, settings, u, importance);
        float[] dampedValues = new float[cols * cols];
        for (int i = 0; i < dampedValues.length; i++) {
            dampedValues[i] = (float) h[i];
        }
        Array damped = Array.of(dampedValues, DType.FLOAT32, cols, cols);
        QuantizedParts refitted = GroupRefit.refit(w, gptq, settings, damped);
        QuantizedParts rtn = Jmlx.quantize(w, settings);
        return bestRows(w, hessian, settings, List.of(refitted, gptq, rtn));
    }

    /** {@code H} in double precision, dead columns given a unit diagonal, plus {@code damping · mean(diag)}. */
    private static double[] dampedHessian(Array hessian, int n, double damping) {
        float[] source = hessian.astype(DType.FLOAT32).toFloatArray();
        double[] h = new double[n * n];
        double trace = 0;
        for (int i = 0; i < n * n; i++) {
            h[i] = source[i];
        }
        for (int i = 0; i < n; i++) {
            if (!(h[i * n + i] > 0)) {
                Arrays.fill(h, i * n, i * n + n, 0);
                for (int r = 0; r < n; r++) {
                    h[r * n + i] = 0;
                }
                h[i * n + i] = 1;
            }
            trace += h[i * n + i];
        }
        double add = damping * trace / n;
        for (int i = 0; i < n; i++) {
            h[i * n + i] += add;
        }
        return h;
    }

    /**
     * GPTQ's walk over the columns, a few rows at a time (rows are independent). A group's scale and bias are fitted
     * when the walk reaches its first column, from its columns as compensated so far.
     *
     * @param u          the inverse Hessian's upper Cholesky factor
     * @param importance the cost of an error in each column
     */
    private static QuantizedParts walk(Array w, QuantizationSettings settings, float[] u, float[] importance) {
        int rows = w.shape()[0];
        int cols = w.shape()[1];
        int g = settings.groupSize();
        int groups = cols / g;
        DType dtype = w.dtype();
        float nBins = (1 << settings.bits()) - 1;
        MemorySegment data = w.data();
        AffineLayout out = new AffineLayout(w, settings);
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        KernelThreads.forEach(tasks, task -> {
            int from = task * ROWS_PER_TASK;
            int n = Math.min(ROWS_PER_TASK, rows - from);
            float[][] x = new float[n][cols];
            int[][] codes = new int[n][cols];
            float[][] scales = new float[n][groups];
            float[][] biases = new float[n][groups];
            AffineGroupSearch search = new AffineGroupSearch(settings.bits(), dtype, g);
            int[] scratch = new int[cols];
            for (int r = 0; r < n; r++) {
                Elements.readRow(data, dtype, (long) (from + r) * cols, x[r], cols);
            }
            for (int p = 0; p < cols; p++) {
                int group = p / g;
                if (p % g == 0) {
                    for (int r = 0; r < n; r++) {
                        search.fit(x[r], importance, p, g, scratch, scales[r], biases[r], group);
                    }
                }
                float d = u[p * cols + p];
                int uRow = p * cols;
                for (int r = 0; r < n; r++) {
                    float s = scales[r][group];
                    float b = biases[r][group];
                    float[] xr = x[r];
                    int q = s == 0 ? 0 : (int) Math.min(Math.max(Math.rint((xr[p] - b) / s), 0), nBins);
                    codes[r][p] = q;
                    float decoded = FloatFormats.roundTo(dtype, FloatFormats.roundTo(dtype, s * q) + b);
                    float err = (xr[p] - decoded) / d;
                    for (int j = p + 1; j < cols; j++) {
                        xr[j] -= err * u[uRow + j];
                    }
                }
            }
            for (int r = 0; r < n; r++) {
                out.putRow(from + r, codes[r], scales[r], biases[r]);
            }
        });
        return out.parts();
    }

    /**
     * Row by row, the candidate with the smallest {@code (w − ŵ)ᵀ H (w − ŵ)} (the undamped Hessian); the earlier
     * candidate on ties.
     */
    private static QuantizedParts bestRows(
            Array w, Array hessian, QuantizationSettings settings, List<QuantizedParts> candidates) {
        List<double[]> errors = candidates.stream()
                .map(c -> outputErrors(w, hessian, settings, c))
                .toList();
        AffineLayout out = new AffineLayout(w, settings);
        int cols = w.shape()[1];
        int groups = cols / settings.groupSize();
        int[] codes = new int[cols];
        float[] scales = new float[groups];
        float[] biases = new float[groups];
        for (int r = 0; r < w.shape()[0]; r++) {
            int best = 0;
            for (int c = 1; c < candidates.size(); c++) {
                if (errors.get(c)[r] < errors.get(best)[r]) {
                    best = c;
                }
            }
            out.copyRow(candidates.get(best), r, codes, scales, biases);
        }
        return out.parts();
    }

    /** Per row, {@code (w − ŵ)ᵀ H (w − ŵ)} with {@code ŵ} as {@code dequantize} decodes it. */
    private static double[] outputErrors(Array w, Array hessian, QuantizationSettings settings, QuantizedParts q) {
        Array decoded = Jmlx.dequantize(
                q.packed(), q.scales(), q.biases(), settings.groupSize(), settings.bits(), "affine", null, null, null);
        Array e = Jmlx.subtract(w.astype(DType.FLOAT32), decoded.astype(DType.FLOAT32));
        Array eh = Jmlx.matmul(e, hessian.astype(DType.FLOAT32));
        float[] a = e.toFloatArray();
        float[] b = eh.toFloatArray();
        int rows = w.shape()[0];
        int cols = w.shape()[1];
        double[] errors = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += (double) a[r * cols + j] * b[r * cols + j];
            }
            errors[r] = sum;
        }
        return errors;
    }
}
