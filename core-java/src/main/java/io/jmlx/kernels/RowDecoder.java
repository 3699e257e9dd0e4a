package io.jmlx.kernels;

import io.jmlx.DType;
import java.lang.foreign.MemorySegment;

/**
 * Delivers the decoded rows of a quantized matrix as floats, one row at a time; the building block of the
 * matmul kernels that do not decode on the fly. Not thread-safe: use one decoder per thread.
 */
public interface RowDecoder {

    /** Decodes row {@code row} into {@code out[0..cols)}. */
    void decode(long row, float[] out);

    /**
     * Affine rows exactly as {@code dequantize} computes them: {@code T(T(scale·code) + bias)} in the scales'
     * type {@code dtype}.
     */
    static RowDecoder affine(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int cols,
            int groupSize,
            int bits) {
        return new AffineRowDecoder(packed, scales, biases, dtype, cols, groupSize, bits);
    }

    /** Microscaled rows, exact in float32: {@code element · scale}, times nvfp4's global factor when given. */
    static RowDecoder microscaled(
            MemorySegment packed, MemorySegment scales, int cols, FpFormat format, Float globalScale) {
        return new FpRowDecoder(packed, scales, cols, format, globalScale);
    }
}
