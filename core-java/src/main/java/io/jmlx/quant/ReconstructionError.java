package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.KernelProvider;
import io.jmlx.kernels.Kernels;
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
        long wordsPerRow = BitPacking.words(cols, settings.bits());
        int groups = cols / settings.groupSize();
        if (q.packed().size() != rows * wordsPerRow || q.scales().size() != rows * groups) {
            throw new IllegalArgumentException(
                    "The quantized parts (packed " + Arrays.toString(q.packed().shape())
                            + ", scales " + Arrays.toString(q.scales().shape()) + ") do not fit a weight of shape "
                            + Arrays.toString(shape) + " with " + settings);
        }
        Kernels kernels = KernelProvider.get();
        DType decoded = settings.mode().isAffine() ? q.scales().dtype() : DType.FLOAT32;
        int rowsPerStep = (int) Math.max(1, Math.min(rows, CHUNK / Math.max(1, cols)));
        MemorySegment scratch = Array.allocate((long) rowsPerStep * cols, decoded);
        MemorySegment original = w.data();
        MemorySegment packed = q.packed().data();
        MemorySegment scales = q.scales().data();
        MemorySegment biases = q.biases() == null ? null : q.biases().data();
        long scaleBytes = q.scales().dtype().byteSize();
        float[] x = new float[rowsPerStep * cols];
        float[] y = new float[rowsPerStep * cols];
        double diff = 0;
        double norm = 0;
        for (long r = 0; r < rows; r += rowsPerStep) {
            int n = (int) Math.min(rowsPerStep, rows - r);
            MemorySegment p = packed.asSlice(r * wordsPerRow * 4, n * wordsPerRow * 4);
            MemorySegment s = scales.asSlice(r * groups * scaleBytes, (long) n * groups * scaleBytes);
            if (settings.mode().isAffine()) {
                MemorySegment b = biases.asSlice(r * groups * scaleBytes, (long) n * groups * scaleBytes);
                kernels.affineDequantize(p, s, b, decoded, n, cols, settings.groupSize(), settings.bits(), scratch);
            } else {
                kernels.fpDequantize(p, s, n, cols, settings.mode().fpFormat(), null, decoded, scratch);
            }
            int len = n * cols;
            Elements.readRow(original, w.dtype(), r * cols, x, len);
            Elements.readRow(scratch, decoded, 0, y, len);
            for (int i = 0; i < len; i++) {
                double d = (double) x[i] - y[i];
                diff += d * d;
                norm += (double) x[i] * x[i];
            }
        }
        if (norm == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(diff / norm);
    }
}
