package io.jmlx.kernels.vector;

import io.jmlx.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

/**
 * {@link BlockDecoder} for affine weights of any width: codes unpacked sixteen at a time ({@link CodePacking#unpack})
 * and turned into {@code scale·code + bias} with one fused multiply-add, exact up to that one rounding (matmul's
 * contract allows float32 weights; {@code dequantize}'s rounding to the scales' type is not needed here).
 */
final class AffineBlockDecoder extends BlockDecoder {
    private final MemorySegment scales;
    private final MemorySegment biases;
    private final DType dtype;
    private final int groups;
    private final int blocksPerGroup;

    AffineBlockDecoder(MemorySegment packed, MemorySegment scales, MemorySegment biases, DType dtype, int cols,
                       int groupSize, int bits) {
        super(packed, cols, bits);
        this.scales = scales;
        this.biases = biases;
        this.dtype = dtype;
        this.groups = cols / groupSize;
        this.blocksPerGroup = groupSize / LaneShapes.BLOCK;
    }

    @Override
    void decode(long row, int fromBlock, int blocks, float[] out, int outFrom, int stripStride) {
        long rowAt = row * rowBytes;
        int end = fromBlock + blocks;
        for (int b = fromBlock; b < end; ) {
            int group = b / blocksPerGroup;
            FloatVector scale = FloatVector.broadcast(F, HalfVectors.get(scales, dtype, row * groups + group));
            FloatVector bias = FloatVector.broadcast(F, HalfVectors.get(biases, dtype, row * groups + group));
            for (int groupEnd = Math.min(end, (group + 1) * blocksPerGroup); b < groupEnd; b++) {
                long at = rowAt + 2L * bits * b;
                long lo = word(packed, at);
                long hi = word(packed, at + bits);
                int start = blockStart(b - fromBlock, outFrom, stripStride);
                for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                    ((FloatVector) CodePacking.unpack(lo, hi, part, bits).convert(VectorOperators.I2F, 0))
                            .fma(scale, bias).intoArray(out, start + LANES * part);
                }
            }
        }
    }
}
