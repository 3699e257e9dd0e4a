package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.Shape;
import io.jmlx.kernels.Elements;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * How far a quantized weight is from the original: the relative reconstruction error {@code ‖W − Ŵ‖ / ‖W‖}
 * (Frobenius norms, summed in double precision), the number conversion reports print per layer.
 */
public final class ReconstructionError {
    private static final int CHUNK = 1 << 16;

    private ReconstructionError() {
    }

    /**
     * {@code ‖original − reconstructed‖ / ‖original‖}; 0 when both are zero, infinite when only the original is.
     * Waits for both arrays.
     *
     * @throws IllegalArgumentException if the shapes differ or an array is not floating
     */
    public static double relative(Array original, Array reconstructed) {
        if (!Arrays.equals(original.shape(), reconstructed.shape())) {
            throw new IllegalArgumentException("The reconstruction has shape " + Shape.format(reconstructed.shape())
                    + " but the original has " + Shape.format(original.shape()));
        }
        if (!original.dtype().isFloating() || !reconstructed.dtype().isFloating()) {
            throw new IllegalArgumentException("Both arrays must be floating but are " + original.dtype() + " and "
                    + reconstructed.dtype());
        }
        MemorySegment a = original.data();
        MemorySegment b = reconstructed.data();
        float[] x = new float[CHUNK];
        float[] y = new float[CHUNK];
        double diff = 0;
        double norm = 0;
        long n = original.size();
        for (long at = 0; at < n; at += CHUNK) {
            int len = (int) Math.min(CHUNK, n - at);
            Elements.readRow(a, original.dtype(), at, x, len);
            Elements.readRow(b, reconstructed.dtype(), at, y, len);
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
