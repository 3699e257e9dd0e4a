package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * MLX's affine {@code dequantize} (spec §3.3) on vectors, bit for bit as
 * {@link io.jmlx.kernels.ScalarKernels#affineDequantize}: {@code out = T(T(scale · code) + bias)}, a multiply and an
 * add each rounded to the dtype T (plain float32 operations for float32, never fused). A row's words are copied into
 * a scratch with 8 bytes of slack, so that each half of a 16-code block is one 8-byte load, and the codes are
 * unpacked sixteen at a time ({@link CodePacking#unpack}). Half-precision rows go through a float32 row: the
 * products, rounded to T, plus the biases, rounded to T as they are stored. Rows are split into fixed chunks over
 * the kernel thread pool.
 */
final class VectorAffineDequantizer {
    private VectorAffineDequantizer() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** True when these kernels handle the arguments (else the caller uses the reference). */
    static boolean supports(DType dtype, int cols, int groupSize, int bits) {
        return LaneShapes.USABLE
                && (dtype == DType.FLOAT32 || dtype == DType.FLOAT16 || dtype == DType.BFLOAT16)
                && groupSize > 0
                && groupSize % LaneShapes.BLOCK == 0
                && cols % groupSize == 0
                && bits >= 1
                && bits <= 8;
    }

    /** See {@link io.jmlx.kernels.Kernels#affineDequantize}. */
    static void dequantize(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment out) {
        long rowBytes = BitPacking.words(cols, bits) * 4;
        RowChunks.forEach(rows, cols, (from, to) -> {
            float[] blockScales = new float[cols / LaneShapes.BLOCK];
            float[] blockBiases = new float[cols / LaneShapes.BLOCK];
            float[] values = dtype == DType.FLOAT32 ? null : new float[cols];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment words = arena.allocate(rowBytes + 8, 8);
                for (long r = from; r < to; r++) {
                    spread(scales, biases, dtype, r, cols, groupSize, blockScales, blockBiases);
                    MemorySegment.copy(packed, r * rowBytes, words, 0, rowBytes);
                    switch (dtype) {
                        case FLOAT32 -> rowFloat32(words, cols, bits, blockScales, blockBiases, out, r * cols * 4);
                        default -> {
                            products(words, cols, bits, blockScales, values);
                            HalfVectors.roundRow(values, 0, cols, dtype);
                            addBiases(values, blockBiases);
                            HalfVectors.storeRow(values, 0, cols, dtype, out, r * cols);
                        }
                    }
                }
            }
        });
    }

    /** Row {@code r}'s scales and biases, one per block of 16 codes. */
    private static void spread(
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            long r,
            int cols,
            int groupSize,
            float[] blockScales,
            float[] blockBiases) {
        int groups = cols / groupSize;
        int perGroup = groupSize / LaneShapes.BLOCK;
        for (int g = 0, b = 0; g < groups; g++) {
            float scale = HalfVectors.get(scales, dtype, r * groups + g);
            float bias = HalfVectors.get(biases, dtype, r * groups + g);
            for (int k = 0; k < perGroup; k++, b++) {
                blockScales[b] = scale;
                blockBiases[b] = bias;
            }
        }
    }

    /** Codes of vector {@code part} of block {@code b} as floats (exact: codes are below 256). */
    private static FloatVector codes(MemorySegment words, int b, int part, int bits) {
        long lo = words.get(CodePacking.LONG, 2L * bits * b);
        long hi = words.get(CodePacking.LONG, 2L * bits * b + bits);
        return (FloatVector) CodePacking.unpack(lo, hi, part, bits).convert(VectorOperators.I2F, 0);
    }

    /** A float32 row: {@code scale · code + bias} in two float32 operations, stored from byte {@code at}. */
    private static void rowFloat32(
            MemorySegment words,
            int cols,
            int bits,
            float[] blockScales,
            float[] blockBiases,
            MemorySegment out,
            long at) {
        for (int b = 0; b < cols / LaneShapes.BLOCK; b++) {
            FloatVector scale = FloatVector.broadcast(F, blockScales[b]);
            FloatVector bias = FloatVector.broadcast(F, blockBiases[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                codes(words, b, part, bits)
                        .mul(scale)
                        .add(bias)
                        .intoMemorySegment(out, at + 64L * b + 4L * LANES * part, LE);
            }
        }
    }

    /** {@code scale · code} of a row in float32 into {@code values}. */
    private static void products(MemorySegment words, int cols, int bits, float[] blockScales, float[] values) {
        for (int b = 0; b < cols / LaneShapes.BLOCK; b++) {
            FloatVector scale = FloatVector.broadcast(F, blockScales[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                codes(words, b, part, bits).mul(scale).intoArray(values, 16 * b + LANES * part);
            }
        }
    }

    /** Adds each block's bias to its (rounded) products, in float32. */
    private static void addBiases(float[] values, float[] blockBiases) {
        for (int b = 0; b < blockBiases.length; b++) {
            FloatVector bias = FloatVector.broadcast(F, blockBiases[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                int at = 16 * b + LANES * part;
                FloatVector.fromArray(F, values, at).add(bias).intoArray(values, at);
            }
        }
    }
}
