package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * How far a quantized weight is from the original: the relative reconstruction error {@code ‖W − Ŵ‖ / ‖W‖}
 * (Frobenius norms, summed in double precision), the number conversion reports print per layer. Ŵ is decoded a
 * few rows at a time into a small scratch, as {@code dequantize} computes it, so a large weight costs no more
 * memory than those rows.
 */
public final class ReconstructionError {
    /** Elements decoded per step. */
    private static final int CHUNK = 1 << 16;

    private ReconstructionError() {}

    /**
     * {@code ‖w − dequantize(q)‖ / ‖w‖}; 0 when both are zero, infinite when only {@code w} is. Waits for the arrays.
     *
     * @param w the original weight {@code [..., cols]} (float32, float16 or bfloat16)
     * @param q its quantization with {@code settings} (no global scale)
     * @throws IllegalArgumentException if the parts do not fit {@code w}'s shape
     */
    public static double relative(Array w, QuantizedParts q, QuantizationSettings settings) {
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
        DType decoded = settings.mode().isAffine() ? q.scales().dtype() : DType.FLOAT32;
        int rowsPerStep = (int) Math.max(1, Math.min(rows, CHUNK / Math.max(1, cols)));
        MemorySegment original = w.data();
        MemorySegment packed = q.packed().data();
        MemorySegment scales = q.scales().data();
        MemorySegment biases = q.biases() == null ? null : q.biases().data();
        long wordBytes = wordsPerRow * 4;
        long scaleBytes = groups * q.scales().dtype().byteSize();
        long rowBytes = (long) cols * w.dtype().byteSize();
        double diff = 0;
        double norm = 0;
        for (long r = 0; r < rows; r += rowsPerStep) {
            int n = (int) Math.min(rowsPerStep, rows - r);
            QuantizedParts part = new QuantizedParts(
                    Array.wrap(packed.asSlice(r * wordBytes, n * wordBytes), DType.UINT32, n, (int) wordsPerRow),
                    Array.wrap(
                            scales.asSlice(r * scaleBytes, n * scaleBytes),
                            q.scales().dtype(),
                            n,
                            groups),
                    biases == null
                            ? null
                            : Array.wrap(
                                    biases.asSlice(r * scaleBytes, n * scaleBytes),
                                    q.biases().dtype(),
                                    n,
                                    groups));
            float[] y = Jmlx.dequantize(part, settings, null, decoded, null).toFloatArray();
            float[] xs = Array.wrap(original.asSlice(r * rowBytes, n * rowBytes), w.dtype(), n, cols)
                    .toFloatArray();
            for (int i = 0; i < y.length; i++) {
                double d = (double) xs[i] - y[i];
                diff += d * d;
                norm += (double) xs[i] * xs[i];
            }
        }
        if (norm == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(diff / norm);
    }
}
