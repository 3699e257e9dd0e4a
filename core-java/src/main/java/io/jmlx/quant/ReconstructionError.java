package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.RowDecoder;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * How far a quantized weight is from the original: the relative reconstruction error {@code ‖W − Ŵ‖ / ‖W‖}
 * (Frobenius norms, summed in double precision), the number conversion reports print per layer. Ŵ is decoded one
 * row at a time into a scratch, exactly as {@code dequantize} computes it, so a large weight costs no more memory
 * than a row.
 */
public final class ReconstructionError {
    /** Elements per step (the unit of the sampling and of the summation order). */
    private static final int CHUNK = 1 << 20;

    private ReconstructionError() {}

    /**
     * {@code ‖w − dequantize(q)‖ / ‖w‖}; 0 when both are zero, infinite when only {@code w} is. Waits for the arrays.
     *
     * @param w the original weight {@code [..., cols]} (float32, float16 or bfloat16)
     * @param q its quantization with {@code settings} (no global scale)
     * @throws IllegalArgumentException if the parts do not fit {@code w}'s shape
     */
    public static double relative(Array w, QuantizedParts q, QuantizationSettings settings) {
        return relative(w, q, settings, Long.MAX_VALUE);
    }

    /**
     * {@link #relative(Array, QuantizedParts, QuantizationSettings)} over at most about {@code maxElements} elements
     * of a larger weight: blocks of whole rows spread evenly over it (an estimate, for reports on weights whose exact
     * error would cost as much as their quantization). Computed on the calling thread.
     */
    public static double relative(Array w, QuantizedParts q, QuantizationSettings settings, long maxElements) {
        int[] shape = w.shape();
        int cols = shape[shape.length - 1];
        long rows = w.size() / Math.max(1, cols);
        long wordsPerRow = (long) cols * settings.bits() / 32;
        int groups = cols / settings.groupSize();
        if (q.packed().size() != rows * wordsPerRow || q.scales().size() != rows * groups) {
            throw new IllegalArgumentException(
                    "The quantized parts (packed " + Arrays.toString(q.packed().shape())
                            + ", scales " + Arrays.toString(q.scales().shape()) + ") do not fit a weight of shape "
                            + Arrays.toString(shape) + " with " + settings);
        }
        MemorySegment original = w.data();
        MemorySegment packed = q.packed().data();
        MemorySegment scales = q.scales().data();
        // The rows as dequantize computes them, decoded here one at a time instead of through the op: the same floats
        // (the op writes these values in the scales' type, or float32, and they read back unchanged) without an
        // output array, its conversion and the copies.
        RowDecoder decoder = settings.mode().isAffine()
                ? RowDecoder.affine(
                        packed,
                        scales,
                        q.biases().data(),
                        q.scales().dtype(),
                        cols,
                        settings.groupSize(),
                        settings.bits())
                : RowDecoder.microscaled(packed, scales, cols, FpFormat.of(settings.mode()), null);
        int rowsPerStep = (int) Math.max(1, Math.min(rows, CHUNK / Math.max(1, cols)));
        float[] x = new float[cols];
        float[] y = new float[cols];
        double[] sums = new double[4];
        long steps = (rows + rowsPerStep - 1) / rowsPerStep;
        long measured = rows * cols <= maxElements
                ? steps
                : Math.clamp(maxElements / ((long) rowsPerStep * Math.max(1, cols)), 1, steps);
        for (long step = 0; step < measured; step++) {
            long r = step * steps / measured * rowsPerStep;
            int n = (int) Math.min(rowsPerStep, rows - r);
            for (int i = 0; i < n; i++) {
                decoder.decode(r + i, y);
                Elements.readRow(original, w.dtype(), (r + i) * cols, x, cols);
                accumulate(x, y, cols, sums);
            }
            // Each step sums the even and the odd elements of its rows in two chains, then adds them up (rows have
            // an even length, a multiple of the group size, so each row's first element is at an even position).
            sums[0] += sums[2];
            sums[1] += sums[3];
            sums[2] = 0;
            sums[3] = 0;
        }
        double diff = sums[0];
        double norm = sums[1];
        if (norm == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(diff / norm);
    }

    /**
     * Adds {@code (x − y)²} and {@code x²} of one row of even length {@code n} to {@code sums}: elements at even
     * positions to {@code sums[0]} and {@code sums[1]}, those at odd positions to {@code sums[2]} and {@code sums[3]}
     * (two chains, so that the additions overlap instead of waiting on one another).
     */
    private static void accumulate(float[] x, float[] y, int n, double[] sums) {
        double diff = sums[0];
        double norm = sums[1];
        double diff2 = sums[2];
        double norm2 = sums[3];
        for (int i = 0; i + 1 < n; i += 2) {
            double d = (double) x[i] - y[i];
            double e = (double) x[i + 1] - y[i + 1];
            diff += d * d;
            diff2 += e * e;
            norm += (double) x[i] * x[i];
            norm2 += (double) x[i + 1] * x[i + 1];
        }
        sums[0] = diff;
        sums[1] = norm;
        sums[2] = diff2;
        sums[3] = norm2;
    }
}
