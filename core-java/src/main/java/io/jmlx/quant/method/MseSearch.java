package io.jmlx.quant.method;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import java.lang.foreign.MemorySegment;

/**
 * The data-free method {@code mse}: each group's scale, bias and codes chosen to minimise the squared
 * reconstruction error ‖W − Ŵ‖² (optionally weighted per input column), with the scales and biases rounded to the
 * weight's dtype inside the search, in MLX's affine layout. Never worse than MLX's round to nearest on that error,
 * group by group; deterministic (no randomness, the same result for any number of threads).
 *
 * <pre>{@code
 * QuantizedParts q = MseSearch.quantize(weight, new QuantizationSettings(64, 4, QuantizationMode.AFFINE));
 * }</pre>
 */
public final class MseSearch {
    /** The method's name. */
    public static final String NAME = "mse";

    private static final int ROWS_PER_TASK = 16;

    private MseSearch() {}

    /** Quantizes {@code w} ({@code [..., K]}) along its last axis, minimising ‖W − Ŵ‖². */
    public static QuantizedParts quantize(Array w, QuantizationSettings settings) {
        return quantize(w, settings, null);
    }

    /**
     * Quantizes {@code w} minimising {@code Σ_ij h_j (W_ij − Ŵ_ij)²}: input column {@code j} weighs
     * {@code importance[j]} (e.g. the mean square of the activations it meets).
     *
     * @param importance {@code K} non-negative weights, or {@code null} for the plain squared error
     * @throws IllegalArgumentException if the settings are not affine, {@code w} is not a float matrix whose last
     *                                  dimension the group size divides, or {@code importance} has the wrong length
     */
    public static QuantizedParts quantize(Array w, QuantizationSettings settings, float[] importance) {
        AffineLayout.check(NAME, w, settings);
        int[] shape = w.shape();
        int cols = shape[shape.length - 1];
        if (importance != null && importance.length != cols) {
            throw new IllegalArgumentException("[" + NAME + "] importance must have one weight per column (" + cols
                    + ") but has " + importance.length + ".");
        }
        AffineLayout out = new AffineLayout(w, settings);
        long rows = w.size() / cols;
        MemorySegment data = w.data();
        DType dtype = w.dtype();
        int g = settings.groupSize();
        int tasks = (int) ((rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK);
        KernelThreads.forEach(tasks, task -> {
            AffineGroupSearch search = new AffineGroupSearch(settings.bits(), dtype, g);
            float[] row = new float[cols];
            int[] codes = new int[cols];
            float[] scales = new float[cols / g];
            float[] biases = new float[cols / g];
            long end = Math.min(rows, (long) (task + 1) * ROWS_PER_TASK);
            for (long r = (long) task * ROWS_PER_TASK; r < end; r++) {
                Elements.readRow(data, dtype, r * cols, row, cols);
                for (int group = 0; group < cols / g; group++) {
                    search.fit(row, importance, group * g, g, codes, scales, biases, group);
                }
                out.putRow(r, codes, scales, biases);
            }
        });
        return out.parts();
    }
}
