package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

/**
 * MLX's affine {@code dequantize} (spec §3.3) on vectors, bit for bit as
 * {@link io.jmlx.kernels.ScalarKernels#affineDequantize}: {@code out = T(T(scale · code) + bias)}, a multiply and an
 * add each rounded to the dtype T (plain float32 operations for float32, never fused). Codes are unpacked sixteen
 * at a time ({@link CodePacking#unpack}); rows are split into fixed chunks over the kernel thread pool.
 */
final class VectorAffineDequantizer {
    private VectorAffineDequantizer() {
    }

    /** True when these kernels handle the arguments (else the caller uses the reference). */
    static boolean supports(DType dtype, int cols, int groupSize, int bits) {
        return LaneShapes.USABLE && (dtype == DType.FLOAT32 || dtype == DType.FLOAT16 || dtype == DType.BFLOAT16)
                && groupSize > 0 && groupSize % LaneShapes.BLOCK == 0 && cols % groupSize == 0 && bits >= 1 && bits <= 8;
    }

    /** See {@link io.jmlx.kernels.Kernels#affineDequantize}. */
    static void dequantize(MemorySegment packed, MemorySegment scales, MemorySegment biases, DType dtype, long rows,
                           int cols, int groupSize, int bits, MemorySegment out) {
        RowChunks.forEach(rows, cols, (from, to) -> {
            float[] blockScales = new float[cols / LaneShapes.BLOCK];
            float[] blockBiases = new float[cols / LaneShapes.BLOCK];
            for (long r = from; r < to; r++) {
                spread(scales, biases, dtype, r, cols, groupSize, blockScales, blockBiases);
                switch (dtype) {
                    case FLOAT32 -> rowFloat32(packed, r, cols, bits, blockScales, blockBiases, out);
                    default -> rowHalf(packed, dtype, r, cols, bits, blockScales, blockBiases, out);
                }
            }
        });
    }

    /** Row {@code r}'s scales and biases, one per block of 16 codes. */
    private static void spread(MemorySegment scales, MemorySegment biases, DType dtype, long r, int cols, int groupSize,
                               float[] blockScales, float[] blockBiases) {
        int groups = cols / groupSize;
        int perGroup = groupSize / LaneShapes.BLOCK;
        for (int g = 0, b = 0; g < groups; g++) {
            float scale = Elements.getFloat(scales, dtype, r * groups + g);
            float bias = Elements.getFloat(biases, dtype, r * groups + g);
            for (int k = 0; k < perGroup; k++, b++) {
                blockScales[b] = scale;
                blockBiases[b] = bias;
            }
        }
    }

    /** A float32 row: {@code scale · code + bias} in two float32 operations. */
    private static void rowFloat32(MemorySegment packed, long r, int cols, int bits, float[] blockScales,
                                   float[] blockBiases, MemorySegment out) {
        long in = r * BitPacking.words(cols, bits) * 4;
        long at = r * cols * 4;
        int blocks = cols / LaneShapes.BLOCK;
        for (int b = 0; b < blocks; b++) {
            long lo = CodePacking.readBytes(packed, in + 2L * bits * b, bits);
            long hi = CodePacking.readBytes(packed, in + 2L * bits * b + bits, bits);
            FloatVector scale = FloatVector.broadcast(F, blockScales[b]);
            FloatVector bias = FloatVector.broadcast(F, blockBiases[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                FloatVector q = (FloatVector) CodePacking.unpack(lo, hi, part, bits).convert(VectorOperators.I2F, 0);
                q.mul(scale).add(bias).intoMemorySegment(out, at + 64L * b + 4L * LANES * part, java.nio.ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /** A float16 or bfloat16 row: the product rounded to the dtype, then the sum rounded to it. */
    private static void rowHalf(MemorySegment packed, DType dtype, long r, int cols, int bits, float[] blockScales,
                                float[] blockBiases, MemorySegment out) {
        long in = r * BitPacking.words(cols, bits) * 4;
        long at = r * cols * 2;
        int blocks = cols / LaneShapes.BLOCK;
        for (int b = 0; b < blocks; b++) {
            long lo = CodePacking.readBytes(packed, in + 2L * bits * b, bits);
            long hi = CodePacking.readBytes(packed, in + 2L * bits * b + bits, bits);
            FloatVector scale = FloatVector.broadcast(F, blockScales[b]);
            FloatVector bias = FloatVector.broadcast(F, blockBiases[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                IntVector codes = CodePacking.unpack(lo, hi, part, bits);
                FloatVector q = (FloatVector) codes.convert(VectorOperators.I2F, 0);
                FloatVector scaled = HalfVectors.roundTo(dtype, q.mul(scale));
                HalfVectors.store(scaled.add(bias), dtype, out, at + 32L * b + 2L * LANES * part);
            }
        }
    }
}
