package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.kernels.FpFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * {@link BlockDecoder} for microscaled weights: E2M1 or E4M3 elements decoded with lane operations
 * ({@link VectorFpDequantizer#fp4Values}, {@link VectorFpDequantizer#fp8Values}) times the group's scale (times
 * nvfp4's global factor), as {@link io.jmlx.kernels.RowDecoder#microscaled} computes them, exactly.
 */
final class FpBlockDecoder extends BlockDecoder {
    private final MemorySegment scales;
    private final FpFormat format;
    private final float factor;
    private final int groups;
    /** log2 of the blocks per group (groups are 1 or 2 blocks). */
    private final int groupShift;

    FpBlockDecoder(MemorySegment packed, MemorySegment scales, int cols, FpFormat format, Float globalScale) {
        super(packed, cols, format.bits());
        this.scales = scales;
        this.format = format;
        this.factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        this.groups = cols / format.groupSize();
        this.groupShift = Integer.numberOfTrailingZeros(format.groupSize() / LaneShapes.BLOCK);
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
        FpFormat format = this.format;
        float factor = this.factor;
        int bits = this.bits;
        int groupShift = this.groupShift;
        long groupAt = row * groups;
        boolean fp4 = bits == 4;
        for (int i = from; i < to; i++) {
            long blockAt = at + 2L * bits * (i - from);
            long lo = words.get(CodePacking.LONG, blockAt);
            long hi = words.get(CodePacking.LONG, blockAt + bits);
            long group = groupAt + ((fromBlock + i) >> groupShift);
            float groupScale = format.scale(scales.get(ValueLayout.JAVA_BYTE, group) & 0xFF) * factor;
            FloatVector scale = FloatVector.broadcast(F, groupScale);
            int start = blockStart(i, outFrom, stripStride);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                FloatVector element = fp4
                        ? VectorFpDequantizer.fp4Values(CodePacking.unpack(lo, hi, part, 4))
                        : VectorFpDequantizer.fp8Values(CodePacking.unpack(lo, hi, part, 8));
                element.mul(scale).intoArray(out, start + LANES * part);
            }
        }
    }
}
