package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FpCodecs;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * MLX's microscaled {@code quantize} (mxfp4, mxfp8, nvfp4; spec §5.2) on vectors, bit for bit as
 * {@link io.jmlx.kernels.ScalarKernels#fpQuantize}. Per row: widen to float32; each group's scale in scalar code
 * exactly as the reference computes it; the elements {@code T(w / divisor) · factor} (mx: the divisor is the group's
 * power of two, factor 1; nvfp4: the decoded E4M3 scale and the encoder factor); then the element codes, lane-wise by
 * the reference's own steps: the E2M1 encoder compares the distances to all 16 table values in code order (rounded
 * to the distance type, first minimum wins, NaN gives code 0), the E4M3 encoder works on the float bits. The passes
 * are loops over float32 rows (see {@link HalfVectors} on why). Rows are split into fixed chunks over the kernel
 * thread pool.
 */
final class VectorFpQuantizer {
    private VectorFpQuantizer() {}

    /** The E2M1 table, code → value. */
    private static final float[] E2M1 = new float[16];

    static {
        for (int code = 0; code < 16; code++) {
            E2M1[code] = FpCodecs.fp4Value(code);
        }
    }

    /** True when these kernels handle the arguments (else the caller uses the reference). */
    static boolean supports(DType dtype, int cols, FpFormat format) {
        return LaneShapes.USABLE
                && (dtype == DType.FLOAT32 || dtype == DType.FLOAT16 || dtype == DType.BFLOAT16)
                && cols % format.groupSize() == 0;
    }

    /** See {@link io.jmlx.kernels.Kernels#fpQuantize}. */
    static void quantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            MemorySegment packed,
            MemorySegment scales) {
        int groups = cols / format.groupSize();
        long wordBytes = BitPacking.words(cols, format.bits()) * 4;
        // nvfp4's encoder factor, as the reference computes it; mx formats multiply by 1 (exact).
        float enc = format != FpFormat.NVFP4 || globalScale == null
                ? 1f
                : FpCodecs.FP8_MAX * FpCodecs.FP4_MAX / globalScale;
        RowChunks.forEach(rows, cols, (from, to) -> {
            float[] row = new float[cols];
            float[] divisors = new float[cols / LaneShapes.BLOCK];
            int[] codes = new int[cols];
            float[] distances = dtype == DType.FLOAT32 ? null : new float[cols];
            float[] nearest = dtype == DType.FLOAT32 ? null : new float[cols];
            for (long r = from; r < to; r++) {
                HalfVectors.widenRow(w, r * cols * dtype.byteSize(), dtype, row, cols);
                groupScales(row, dtype, format, enc, scales, r * groups, divisors);
                divide(row, divisors);
                HalfVectors.roundRow(row, 0, cols, dtype);
                if (enc != 1f) {
                    multiply(row, enc);
                }
                if (format == FpFormat.MXFP8) {
                    fp8Codes(row, codes);
                } else if (format == FpFormat.NVFP4 || dtype == DType.FLOAT32) {
                    fp4Codes(row, codes);
                } else {
                    // mxfp4 rounds the E2M1 distances to the input's type.
                    fp4Codes(row, codes, dtype, distances, nearest);
                }
                pack(codes, format.bits(), packed, r * wordBytes);
            }
        });
    }

    /**
     * Each group's scale byte (from index {@code first} of {@code scales}) and divisor (one per block of 16), by
     * {@link FpFormat#groupScale}.
     */
    private static void groupScales(
            float[] row, DType dtype, FpFormat format, float enc, MemorySegment scales, long first, float[] divisors) {
        int g = format.groupSize();
        int perGroup = g / LaneShapes.BLOCK;
        for (int group = 0, b = 0; group < row.length / g; group++) {
            float amax = amax(row, group * g, g);
            FpFormat.GroupScale scale = format.groupScale(amax, dtype, enc);
            int scaleByte = scale.scaleByte();
            float divisor = scale.divisor();
            scales.set(ValueLayout.JAVA_BYTE, first + group, (byte) scaleByte);
            for (int k = 0; k < perGroup; k++, b++) {
                divisors[b] = divisor;
            }
        }
    }

    /**
     * The largest |w| of {@code row[from, from + size)}, NaN left out (as the reference's
     * {@code amax < a ? a : amax} does): on the magnitude bits, where integer order is float order.
     */
    private static float amax(float[] row, int from, int size) {
        IntVector best = IntVector.zero(I);
        for (int i = 0; i < size; i += LANES) {
            IntVector magnitude =
                    FloatVector.fromArray(F, row, from + i).reinterpretAsInts().and(0x7FFFFFFF);
            best = best.max(magnitude.blend(0, magnitude.compare(VectorOperators.GT, 0x7F800000)));
        }
        return Float.intBitsToFloat(best.reduceLanes(VectorOperators.MAX));
    }

    /** Divides every block of {@code row} by its divisor, in float32 (the input type's rounding follows). */
    private static void divide(float[] row, float[] divisors) {
        for (int b = 0; b < divisors.length; b++) {
            FloatVector divisor = FloatVector.broadcast(F, divisors[b]);
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                int at = 16 * b + LANES * part;
                FloatVector.fromArray(F, row, at).div(divisor).intoArray(row, at);
            }
        }
    }

    /** Multiplies {@code row} by {@code factor} in float32. */
    private static void multiply(float[] row, float factor) {
        for (int j = 0; j < row.length; j += LANES) {
            FloatVector.fromArray(F, row, j).mul(factor).intoArray(row, j);
        }
    }

    /** Packs {@code codes} (one per int) into the row's words from byte {@code out}, 16 codes at a time. */
    private static void pack(int[] codes, int bits, MemorySegment packed, long out) {
        for (int b = 0; b < codes.length / LaneShapes.BLOCK; b++) {
            long lo = 0;
            long hi = 0;
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                IntVector c = IntVector.fromArray(I, codes, 16 * b + LANES * part);
                if (LANES == 16) {
                    lo = CodePacking.codeBytes(c, 0);
                    hi = CodePacking.codeBytes(c, 1);
                } else {
                    int shift = 8 * LANES * part;
                    if (shift < 64) {
                        lo |= CodePacking.codeBytes(c, 0) << shift;
                    } else {
                        hi |= CodePacking.codeBytes(c, 0) << (shift - 64);
                    }
                }
            }
            CodePacking.pack(lo, hi, bits, packed, out + 2L * bits * b);
        }
    }

    /**
     * {@link FpCodecs#fp4Encode} of every value with float32 distances into {@code codes}: the code of the nearest
     * E2M1 value, the first (lowest) code among equal distances {@code |v − value|}, code 0 for NaN.
     */
    static void fp4Codes(float[] values, int[] codes) {
        for (int j = 0; j < values.length; j += LANES) {
            FloatVector v = FloatVector.fromArray(F, values, j);
            IntVector best = IntVector.zero(I);
            FloatVector bestDistance = v.sub(E2M1[0]).abs();
            for (int code = 1; code < 16; code++) {
                FloatVector d = v.sub(E2M1[code]).abs();
                VectorMask<Float> closer = d.compare(VectorOperators.LT, bestDistance);
                bestDistance = bestDistance.blend(d, closer);
                best = best.blend(code, closer.cast(I));
            }
            best.intoArray(codes, j);
        }
    }

    /**
     * {@link FpCodecs#fp4Encode} with distances rounded to {@code distanceType}, one table value at a time over
     * the whole row: {@code distances} and {@code nearest} are scratch rows of the same length.
     */
    static void fp4Codes(float[] values, int[] codes, DType distanceType, float[] distances, float[] nearest) {
        for (int code = 0; code < 16; code++) {
            float value = E2M1[code];
            for (int j = 0; j < values.length; j += LANES) {
                FloatVector.fromArray(F, values, j).sub(value).intoArray(distances, j);
            }
            HalfVectors.roundRow(distances, 0, values.length, distanceType);
            for (int j = 0; j < values.length; j += LANES) {
                FloatVector d = FloatVector.fromArray(F, distances, j).abs();
                if (code == 0) {
                    d.intoArray(nearest, j);
                    IntVector.zero(I).intoArray(codes, j);
                } else {
                    FloatVector best = FloatVector.fromArray(F, nearest, j);
                    VectorMask<Float> closer = d.compare(VectorOperators.LT, best);
                    best.blend(d, closer).intoArray(nearest, j);
                    IntVector.fromArray(I, codes, j).blend(code, closer.cast(I)).intoArray(codes, j);
                }
            }
        }
    }

    /** {@link FpCodecs#fp8Encode} of every value into {@code codes} (see {@link #fp8Codes(FloatVector)}). */
    static void fp8Codes(float[] values, int[] codes) {
        for (int j = 0; j < values.length; j += LANES) {
            fp8Codes(FloatVector.fromArray(F, values, j)).intoArray(codes, j);
        }
    }

    /**
     * {@link FpCodecs#fp8Encode} per lane, on the float bits: saturate to 0x7E at |v| ≥ 448 (infinities and NaN
     * too), below 2^-6 round to a multiple of 2^-9 by adding 2^14, else round the mantissa to 3 bits to even.
     */
    static IntVector fp8Codes(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        IntVector sign = bits.and(0x80000000);
        IntVector magnitude = bits.and(0x7FFFFFFF);
        IntVector small = magnitude
                .reinterpretAsFloats()
                .add(Float.intBitsToFloat(141 << 23))
                .reinterpretAsInts()
                .sub(141 << 23)
                .and(0xFF);
        IntVector odd = magnitude.lanewise(VectorOperators.LSHR, 20).and(1);
        IntVector normal = magnitude
                .add(((7 - 127) << 23) + 0x7FFFF)
                .add(odd)
                .lanewise(VectorOperators.LSHR, 20)
                .and(0xFF);
        IntVector code = normal.blend(small, magnitude.compare(VectorOperators.LT, 121 << 23))
                .blend(0x7E, magnitude.compare(VectorOperators.GE, 543 << 21));
        return code.or(sign.lanewise(VectorOperators.LSHR, 24));
    }
}
