package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link BlockDecoder} for affine weights of any width: codes unpacked sixteen at a time ({@link CodePacking#unpack})
 * and turned into {@code scale·code + bias} with one fused multiply-add, exact up to that one rounding (matmul's
 * contract allows float32 weights; {@code dequantize}'s rounding to the scales' type is not needed here). On eight
 * float lanes 4-bit codes take a shorter way: the eight codes of a 32-bit word, broadcast, each lane shifted by four
 * times its index.
 */
final class AffineBlockDecoder extends BlockDecoder {
    /** Lane {@code l}: {@code 4·l}, where code {@code l} of a word of 4-bit codes starts (eight lanes). */
    private static final IntVector NIBBLE_SHIFTS =
            LANES == 8 ? IntVector.fromArray(I, new int[] {0, 4, 8, 12, 16, 20, 24, 28}, 0) : null;

    private final MemorySegment scales;
    private final MemorySegment biases;
    private final DType dtype;
    private final int groups;
    /** log2 of the blocks per group (groups are 2, 4 or 8 blocks). */
    private final int groupShift;

    AffineBlockDecoder(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int cols,
            int groupSize,
            int bits) {
        super(packed, cols, bits);
        this.scales = scales;
        this.biases = biases;
        this.dtype = dtype;
        this.groups = cols / groupSize;
        this.groupShift = Integer.numberOfTrailingZeros(groupSize / LaneShapes.BLOCK);
    }

    @Override
    void decodeBlocks(
            MemorySegment words,
            long at,
            long row,
            int fromBlock,
            int from,
            int to,
            float[] out,
            int outFrom,
            int stripStride) {
        // Fields in locals: the JIT does not trust final fields, and would reload them every block.
        MemorySegment scales = this.scales;
        MemorySegment biases = this.biases;
        DType dtype = this.dtype;
        int bits = this.bits;
        int groupShift = this.groupShift;
        long groupAt = row * groups;
        if (bits == 4 && LANES == 8) {
            IntVector shifts = NIBBLE_SHIFTS;
            for (int i = from; i < to; i++) {
                long codes = words.get(CodePacking.LONG, at + 8L * (i - from));
                long group = groupAt + ((fromBlock + i) >> groupShift);
                FloatVector scale = FloatVector.broadcast(F, HalfVectors.get(scales, dtype, group));
                FloatVector bias = FloatVector.broadcast(F, HalfVectors.get(biases, dtype, group));
                int start = blockStart(i, outFrom, stripStride);
                ((FloatVector) IntVector.broadcast(I, (int) codes)
                                .lanewise(VectorOperators.LSHR, shifts)
                                .and(0xF)
                                .convert(VectorOperators.I2F, 0))
                        .fma(scale, bias)
                        .intoArray(out, start);
                ((FloatVector) IntVector.broadcast(I, (int) (codes >>> 32))
                                .lanewise(VectorOperators.LSHR, shifts)
                                .and(0xF)
                                .convert(VectorOperators.I2F, 0))
                        .fma(scale, bias)
                        .intoArray(out, start + LANES);
            }
            return;
        }
        for (int i = from; i < to; i++) {
            long blockAt = at + 2L * bits * (i - from);
            long lo = words.get(CodePacking.LONG, blockAt);
            long hi = words.get(CodePacking.LONG, blockAt + bits);
            long group = groupAt + ((fromBlock + i) >> groupShift);
            FloatVector scale = FloatVector.broadcast(F, HalfVectors.get(scales, dtype, group));
            FloatVector bias = FloatVector.broadcast(F, HalfVectors.get(biases, dtype, group));
            int start = blockStart(i, outFrom, stripStride);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                ((FloatVector) CodePacking.unpack(lo, hi, part, bits).convert(VectorOperators.I2F, 0))
                        .fma(scale, bias)
                        .intoArray(out, start + LANES * part);
            }
        }
    }
}
