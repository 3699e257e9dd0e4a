package io.jmlx.kernels.vector;

import io.jmlx.kernels.FpFormat;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

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
    private final int blocksPerGroup;

    FpBlockDecoder(MemorySegment packed, MemorySegment scales, int cols, FpFormat format, Float globalScale) {
        super(packed, cols, format.bits());
        this.scales = scales;
        this.format = format;
        this.factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        this.groups = cols / format.groupSize();
        this.blocksPerGroup = format.groupSize() / LaneShapes.BLOCK;
    }

    @Override
    void decode(long row, int fromBlock, int blocks, float[] out, int outFrom, int stripStride) {
        long rowAt = row * rowBytes;
        int end = fromBlock + blocks;
        boolean fp4 = bits == 4;
        for (int b = fromBlock; b < end; ) {
            int group = b / blocksPerGroup;
            float groupScale = format.scale(scales.get(ValueLayout.JAVA_BYTE, row * groups + group) & 0xFF) * factor;
            FloatVector scale = FloatVector.broadcast(F, groupScale);
            for (int groupEnd = Math.min(end, (group + 1) * blocksPerGroup); b < groupEnd; b++) {
                long at = rowAt + 2L * bits * b;
                long lo = word(packed, at);
                long hi = word(packed, at + bits);
                int start = blockStart(b - fromBlock, outFrom, stripStride);
                for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                    FloatVector element = fp4
                            ? VectorFpDequantizer.fp4Values(CodePacking.unpack(lo, hi, part, 4))
                            : VectorFpDequantizer.fp8Values(CodePacking.unpack(lo, hi, part, 8));
                    element.mul(scale).intoArray(out, start + LANES * part);
                }
            }
        }
    }
}
