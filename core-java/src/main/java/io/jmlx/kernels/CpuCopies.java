package io.jmlx.kernels;

import io.jmlx.backend.CopyKernels;
import io.jmlx.backend.StridedCopy;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The CPU's copies: contiguous runs copied as blocks, matrix transposes tile by tile. */
final class CpuCopies implements CopyKernels {
    /** Tile size of the blocked transpose: a tile of source rows and one of destination rows stay in L1. */
    private static final int TILE = 32;

    /** Trailing axes that are contiguous in the source are copied as one block. */
    @Override
    public void copyStrided(StridedCopy copy, MemorySegment in, MemorySegment out) {
        long[] inStrides = copy.strides();
        int[] outShape = copy.shape();
        long elem = copy.elementBytes();
        int n = outShape.length;
        int blockAxes = 0;
        long block = 1;
        while (blockAxes < n && inStrides[n - 1 - blockAxes] == block) {
            block *= outShape[n - 1 - blockAxes];
            blockAxes++;
        }
        int outerAxes = n - blockAxes;
        long blockBytes = block * elem;
        long blocks = 1;
        for (int d = 0; d < outerAxes; d++) {
            blocks *= outShape[d];
        }
        if (blockBytes == 0) {
            return;
        }
        int[] coord = new int[outerAxes];
        long source = copy.start();
        for (long b = 0; b < blocks; b++) {
            MemorySegment.copy(in, source * elem, out, b * blockBytes, blockBytes);
            for (int d = outerAxes - 1; d >= 0; d--) {
                coord[d]++;
                source += inStrides[d];
                if (coord[d] < outShape[d]) {
                    break;
                }
                source -= coord[d] * inStrides[d];
                coord[d] = 0;
            }
        }
    }

    @Override
    public void transposeMatrices(
            long batches, int rows, int cols, int elementBytes, MemorySegment in, MemorySegment out) {
        long matrix = (long) rows * cols * elementBytes;
        for (long b = 0; b < batches; b++) {
            transposeMatrix(in.asSlice(b * matrix, matrix), out.asSlice(b * matrix, matrix), rows, cols, elementBytes);
        }
    }

    /** {@code out[c][r] = in[r][c]} for a {@code rows × cols} matrix of {@code elem}-byte elements, tile by tile. */
    private static void transposeMatrix(MemorySegment in, MemorySegment out, int rows, int cols, int elem) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int r1 = Math.min(rows, r0 + TILE);
                int c1 = Math.min(cols, c0 + TILE);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        long from = (long) r * cols + c;
                        long to = (long) c * rows + r;
                        switch (elem) {
                            case 8 ->
                                out.setAtIndex(
                                        ValueLayout.JAVA_LONG_UNALIGNED,
                                        to,
                                        in.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, from));
                            case 4 ->
                                out.setAtIndex(
                                        ValueLayout.JAVA_INT_UNALIGNED,
                                        to,
                                        in.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, from));
                            case 2 ->
                                out.setAtIndex(
                                        ValueLayout.JAVA_SHORT_UNALIGNED,
                                        to,
                                        in.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, from));
                            default -> out.set(ValueLayout.JAVA_BYTE, to, in.get(ValueLayout.JAVA_BYTE, from));
                        }
                    }
                }
            }
        }
    }

    @Override
    public void concatenate(long outer, long[] chunkBytes, MemorySegment[] in, MemorySegment out) {
        long target = 0;
        for (long o = 0; o < outer; o++) {
            for (int i = 0; i < in.length; i++) {
                MemorySegment.copy(in[i], o * chunkBytes[i], out, target, chunkBytes[i]);
                target += chunkBytes[i];
            }
        }
    }
}
