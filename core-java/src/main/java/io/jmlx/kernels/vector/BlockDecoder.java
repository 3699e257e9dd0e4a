package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Decodes runs of 16-code blocks of one row of a quantized weight into float32 weights, for the matmul kernels
 * that decode before they multiply. Output comes in strips of {@link #STRIP} weights (two blocks): strip {@code s}
 * of a run starts at {@code out[outFrom + s·stripStride]}, so a stride of {@code STRIP} writes the run contiguously
 * and a larger one lays it out as the column strips of a panel. Decoders hold no mutable state; threads share them.
 */
abstract sealed class BlockDecoder implements WeightRows permits AffineBlockDecoder, FpBlockDecoder {
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
    static BlockDecoder affine(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int cols,
            int groupSize,
            int bits) {
        return new AffineBlockDecoder(packed, scales, biases, dtype, cols, groupSize, bits);
    }

    /** Microscaled rows, exact in float32: {@code element · (scale · global factor)}. */
    static BlockDecoder microscaled(
            MemorySegment packed, MemorySegment scales, int cols, FpFormat format, Float globalScale) {
        return new FpBlockDecoder(packed, scales, cols, format, globalScale);
    }

    /**
     * Decodes blocks {@code [fromBlock, fromBlock + blocks)} of row {@code row} (weights {@code 16·fromBlock} on)
     * into {@code out}, strip by strip as the class describes.
     */
    @Override
    public final void decode(long row, int fromBlock, int blocks, float[] out, int outFrom, int stripStride) {
        long at = row * rowBytes + 2L * bits * fromBlock;
        // Each block reads 8 bytes from its start and from its middle; the blocks whose second read would run past
        // the end of the matrix (at most the last two) read from a padded copy instead, so that the hot loop
        // holds no call (vectors live across a call may be boxed).
        int direct =
                (int) Math.max(0, Math.min(blocks, Math.floorDiv(packed.byteSize() - 8 - bits - at, 2L * bits) + 1));
        decodeBlocks(packed, at, row, fromBlock, 0, direct, out, outFrom, stripStride);
        if (direct < blocks) {
            long from = at + 2L * bits * direct;
            // An automatic arena, like the matrices': a second kind of session would slow the hot loop's accesses.
            MemorySegment padded = Arena.ofAuto().allocate(packed.byteSize() - from + 8, 8);
            MemorySegment.copy(packed, from, padded, 0, packed.byteSize() - from);
            decodeBlocks(padded, 0, row, fromBlock, direct, blocks, out, outFrom, stripStride);
        }
    }

    /**
     * Decodes blocks {@code fromBlock + i} for {@code i} in {@code [from, to)} of row {@code row}, block
     * {@code fromBlock + from} starting at byte {@code at} of {@code words} (8 readable bytes past each block's
     * start and middle); block {@code fromBlock + i} goes to {@link #blockStart}{@code (i, outFrom, stripStride)}.
     */
    abstract void decodeBlocks(
            MemorySegment words,
            long at,
            long row,
            int fromBlock,
            int from,
            int to,
            float[] out,
            int outFrom,
            int stripStride);

    /** Where block {@code b} of a run (counting from 0) starts in the output. */
    static int blockStart(int b, int outFrom, int stripStride) {
        return outFrom + (b >> 1) * stripStride + (b & 1) * LaneShapes.BLOCK;
    }
}
