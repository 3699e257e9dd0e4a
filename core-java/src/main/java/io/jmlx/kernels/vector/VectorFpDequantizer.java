package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * MLX's microscaled {@code dequantize} (spec §5.4) on vectors, bit for bit as
 * {@link io.jmlx.kernels.ScalarKernels#fpDequantize}: {@code out = T(element · scale)}, where the element (E2M1 or
 * E4M3, exact in every output type) is decoded with integer lane operations and the scale is the group's decoded
 * scale rounded to T, times the global factor when there is one (then the product is float32, rounded to T once,
 * which is the same). A row's words are copied into a scratch with 8 bytes of slack (one 8-byte load per half
 * block); products go through a float32 row that a loop of the output type stores. Rows are split into fixed
 * chunks over the kernel thread pool.
 */
final class VectorFpDequantizer {
    private VectorFpDequantizer() {}

    /** True when these kernels handle the arguments (else the caller uses the reference). */
    static boolean supports(int cols, FpFormat format, DType outType) {
        return LaneShapes.USABLE
                && (outType == DType.FLOAT32 || outType == DType.FLOAT16 || outType == DType.BFLOAT16)
                && cols % format.groupSize() == 0;
    }

    /** See {@link io.jmlx.kernels.Kernels#fpDequantize}. */
    static void dequantize(
            MemorySegment packed,
            MemorySegment scales,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            DType outType,
            MemorySegment out) {
        float factor = globalScale == null ? 1f : globalScale / (FpCodecs.FP8_MAX * FpCodecs.FP4_MAX);
        boolean global = globalScale != null;
        long rowBytes = BitPacking.words(cols, format.bits()) * 4;
        RowChunks.forEach(rows, cols, (from, to) -> {
            float[] blockScales = new float[cols / LaneShapes.BLOCK];
            float[] values = new float[cols];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment words = arena.allocate(rowBytes + 8, 8);
                for (long r = from; r < to; r++) {
                    spread(scales, r, cols, format, global, factor, outType, blockScales);
                    MemorySegment.copy(packed, r * rowBytes, words, 0, rowBytes);
                    if (format.bits() == 4) {
                        rowFp4(words, cols, blockScales, values);
                    } else {
                        rowFp8(words, cols, blockScales, values);
                    }
                    HalfVectors.storeRow(values, 0, cols, outType, out, r * cols);
                }
            }
        });
    }

    /** Row {@code r}'s group scales as the reference computes them, one per block of 16 codes. */
    private static void spread(
            MemorySegment scales,
            long r,
            int cols,
            FpFormat format,
            boolean global,
            float factor,
            DType outType,
            float[] blockScales) {
        int g = format.groupSize();
        int groups = cols / g;
        int perGroup = g / LaneShapes.BLOCK;
        for (int group = 0, b = 0; group < groups; group++) {
            int code = scales.get(ValueLayout.JAVA_BYTE, r * groups + group) & 0xFF;
            float scale = FloatFormats.roundTo(
                    outType, format == FpFormat.NVFP4 ? FpCodecs.fp8Decode(code) : FpCodecs.e8m0Value(code));
            if (global) {
                scale *= factor;
            }
            for (int k = 0; k < perGroup; k++, b++) {
                blockScales[b] = scale;
            }
        }
    }

    /** The float32 products {@code element · scale} of an E2M1 row (its words in {@code words}) into {@code values}. */
    private static void rowFp4(MemorySegment words, int cols, float[] blockScales, float[] values) {
        for (int b = 0; b < cols / LaneShapes.BLOCK; b++) {
            long lo = words.get(CodePacking.LONG, 8L * b);
            long hi = words.get(CodePacking.LONG, 8L * b + 4);
            FloatVector scale = FloatVector.broadcast(F, blockScales[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                fp4Values(CodePacking.unpack(lo, hi, part, 4)).mul(scale).intoArray(values, 16 * b + LANES * part);
            }
        }
    }

    /** The float32 products {@code element · scale} of an E4M3 row (its words in {@code words}) into {@code values}. */
    private static void rowFp8(MemorySegment words, int cols, float[] blockScales, float[] values) {
        for (int b = 0; b < cols / LaneShapes.BLOCK; b++) {
            long lo = words.get(CodePacking.LONG, 16L * b);
            long hi = words.get(CodePacking.LONG, 16L * b + 8);
            FloatVector scale = FloatVector.broadcast(F, blockScales[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                fp8Values(CodePacking.unpack(lo, hi, part, 8)).mul(scale).intoArray(values, 16 * b + LANES * part);
            }
        }
    }

    /**
     * E2M1 codes to values, as {@link FpCodecs#fp4Value}: for magnitude codes 2–7 the float bits are
     * {@code (m << 22) + (126 << 23)} (exponent and one fraction bit in place), code 1 is 0.5, code 0 is 0; bit 3
     * is the sign.
     */
    static FloatVector fp4Values(IntVector codes) {
        IntVector m = codes.and(7);
        IntVector bits = m.lanewise(VectorOperators.LSHL, 22).add(126 << 23);
        bits = bits.blend(0x3F000000, m.compare(VectorOperators.EQ, 1));
        bits = bits.blend(0, m.compare(VectorOperators.EQ, 0));
        return bits.or(codes.and(8).lanewise(VectorOperators.LSHL, 28)).reinterpretAsFloats();
    }

    /**
     * E4M3 codes to values, as {@link FpCodecs#fp8Decode} (no NaN: 0x7F is 480): for magnitudes of 8 and more the
     * float bits are {@code (m << 20) + (120 << 23)}, below that the value is {@code m · 2^-9}; bit 7 is the sign.
     */
    static FloatVector fp8Values(IntVector codes) {
        IntVector m = codes.and(0x7F);
        FloatVector normal = m.lanewise(VectorOperators.LSHL, 20).add(120 << 23).reinterpretAsFloats();
        FloatVector subnormal = ((FloatVector) m.convert(VectorOperators.I2F, 0)).mul(0x1p-9f);
        FloatVector value =
                normal.blend(subnormal, m.compare(VectorOperators.LT, 8).cast(F));
        return value.reinterpretAsInts()
                .or(codes.and(0x80).lanewise(VectorOperators.LSHL, 24))
                .reinterpretAsFloats();
    }
}
