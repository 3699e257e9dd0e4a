package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FpFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes runs of 16-code blocks of one row of a quantized weight into float32 weights, for the matmul kernels
 * that decode before they multiply. Output comes in strips of {@link #STRIP} weights (two blocks): strip {@code s}
 * of a run starts at {@code out[outFrom + s·stripStride]}, so a stride of {@code STRIP} writes the run contiguously
 * and a larger one lays it out as the column strips of a panel. Decoders hold no mutable state; threads share them.
 */
abstract sealed class BlockDecoder permits AffineBlockDecoder, FpBlockDecoder {
    /** Weights per output strip: two blocks. */
    static final int STRIP = 2 * LaneShapes.BLOCK;

    final MemorySegment packed;
    final int bits;
    /** Bytes of one packed row. */
    final long rowBytes;

    BlockDecoder(MemorySegment packed, int cols, int bits) {
        this.packed = packed;
        this.bits = bits;
        this.rowBytes = BitPacking.words(cols, bits) * 4;
    }

    /** True when rows of {@code cols} codes in groups of {@code groupSize} decode in whole blocks on these vectors. */
    static boolean supports(int cols, int groupSize) {
        return LaneShapes.USABLE && groupSize % LaneShapes.BLOCK == 0 && cols % groupSize == 0;
    }

    /** Affine rows: {@code scale·code + bias} in one float32 fused multiply-add (scales and biases of {@code dtype}). */
    static BlockDecoder affine(MemorySegment packed, MemorySegment scales, MemorySegment biases, DType dtype,
                               int cols, int groupSize, int bits) {
        return new AffineBlockDecoder(packed, scales, biases, dtype, cols, groupSize, bits);
    }

    /** Microscaled rows, exact in float32: {@code element · (scale · global factor)}. */
    static BlockDecoder microscaled(MemorySegment packed, MemorySegment scales, int cols, FpFormat format,
                                    Float globalScale) {
        return new FpBlockDecoder(packed, scales, cols, format, globalScale);
    }

    /**
     * Decodes blocks {@code [fromBlock, fromBlock + blocks)} of row {@code row} (weights {@code 16·fromBlock} on)
     * into {@code out}, strip by strip as the class describes.
     */
    abstract void decode(long row, int fromBlock, int blocks, float[] out, int outFrom, int stripStride);

    /** Where block {@code b} of a run (counting from 0) starts in the output. */
    static int blockStart(int b, int outFrom, int stripStride) {
        return outFrom + (b >> 1) * stripStride + (b & 1) * LaneShapes.BLOCK;
    }

    /**
     * The 8 bytes of {@code seg} from {@code at} as a little-endian long; past the end of the segment (only the
     * last block of a matrix reads there) the missing bytes are zeros.
     */
    static long word(MemorySegment seg, long at) {
        long size = seg.byteSize();
        if (at + 8 <= size) {
            return seg.get(CodePacking.LONG, at);
        }
        long word = 0;
        for (long i = at; i < size; i++) {
            word |= (seg.get(ValueLayout.JAVA_BYTE, i) & 0xFFL) << (8 * (i - at));
        }
        return word;
    }
}
