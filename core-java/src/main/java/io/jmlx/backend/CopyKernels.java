package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/** Copies that move elements without computing on them; elements are copied bit for bit. */
public interface CopyKernels {

    /** The elements {@code copy} describes, in row-major order, into {@code out}. */
    void copyStrided(StridedCopy copy, MemorySegment in, MemorySegment out);

    /**
     * {@code batches} matrices of {@code rows × cols} elements of {@code elementBytes} bytes, each transposed:
     * {@code out[b][c][r] = in[b][r][c]}.
     */
    void transposeMatrices(long batches, int rows, int cols, int elementBytes, MemorySegment in, MemorySegment out);

    /**
     * Concatenation: for each of {@code outer} blocks, {@code chunkBytes[i]} bytes of each input {@code i} in turn
     * (input {@code i} holds {@code outer} such chunks).
     */
    void concatenate(long outer, long[] chunkBytes, MemorySegment[] in, MemorySegment out);
}
