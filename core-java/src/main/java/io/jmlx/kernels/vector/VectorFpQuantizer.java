package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
import io.jmlx.kernels.FpFormat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

/**
 * MLX's microscaled {@code quantize} (mxfp4, mxfp8, nvfp4; spec §5.2) on vectors, bit for bit as
 * {@link io.jmlx.kernels.ScalarKernels#fpQuantize}. A group's scale is computed in scalar code exactly as the
 * reference does; the elements are encoded lane-wise by the reference's own steps: the E2M1 encoder compares the
 * distances to all 16 table values in code order (rounded to the distance type, first minimum wins, NaN gives
 * code 0) and the E4M3 encoder works on the float bits. Rows are split into fixed chunks over the thread pool.
 */
final class VectorFpQuantizer {
    private VectorFpQuantizer() {
    }

    /** The E2M1 table, code → value. */
    private static final float[] E2M1 = new float[16];

    static {
        for (int code = 0; code < 16; code++) {
            E2M1[code] = FpCodecs.fp4Value(code);
        }
    }

    /** True when these kernels handle the arguments (else the caller uses the reference). */
    static boolean supports(DType dtype, int cols, FpFormat format) {
        return LaneShapes.USABLE && (dtype == DType.FLOAT32 || dtype == DType.FLOAT16 || dtype == DType.BFLOAT16)
                && cols % format.groupSize() == 0;
    }

    /** See {@link io.jmlx.kernels.Kernels#fpQuantize}. */
    static void quantize(MemorySegment w, DType dtype, long rows, int cols, FpFormat format, Float globalScale,
                         MemorySegment packed, MemorySegment scales) {
        RowChunks.forEach(rows, cols, (from, to) -> {
            for (long r = from; r < to; r++) {
                switch (format) {
                    case NVFP4 -> rowNv(w, dtype, r, cols, globalScale, packed, scales);
                    case MXFP4 -> rowMx(w, dtype, r, cols, true, packed, scales);
                    case MXFP8 -> rowMx(w, dtype, r, cols, false, packed, scales);
                }
            }
        });
    }

    /**
     * The largest |w| of the group of {@code size} elements at element {@code from}, NaN left out (as the
     * reference's {@code amax < a ? a : amax} does): on the magnitude bits, where integer order is float order.
     */
    private static float amax(MemorySegment w, DType dtype, long from, int size) {
        int esize = dtype.byteSize();
        IntVector best = IntVector.zero(I);
        for (int i = 0; i < size; i += LANES) {
            IntVector magnitude = HalfVectors.load(w, (from + i) * esize, dtype).reinterpretAsInts().and(0x7FFFFFFF);
            best = best.max(magnitude.blend(0, magnitude.compare(VectorOperators.GT, 0x7F800000)));
        }
        return Float.intBitsToFloat(best.reduceLanes(VectorOperators.MAX));
    }

    /** mxfp4 ({@code fp4}) or mxfp8: scale {@code 2^e}, elements {@code T(w / 2^e)} encoded. */
    private static void rowMx(MemorySegment w, DType dtype, long r, int cols, boolean fp4, MemorySegment packed,
                              MemorySegment scales) {
        int g = 32;
        int groups = cols / g;
        int bits = fp4 ? 4 : 8;
        float maxElement = fp4 ? FpCodecs.FP4_MAX : FpCodecs.FP8_MAX;
        long out = r * BitPacking.words(cols, bits) * 4;
        int esize = dtype.byteSize();
        for (int group = 0; group < groups; group++) {
            long first = r * cols + (long) group * g;
            float scale = FloatFormats.roundTo(dtype, amax(w, dtype, first, g) / maxElement);
            int e = scale == 0f ? 0 : (int) Math.rint(FloatFormats.roundTo(dtype, FpCodecs.log2(scale)));
            float power = FloatFormats.roundTo(dtype, Math.scalb(1f, e));
            scales.set(ValueLayout.JAVA_BYTE, r * groups + group, (byte) ((e + 127) & 0xFF));
            FloatVector divisor = FloatVector.broadcast(F, power);
            for (int j = 0; j < g; j += LaneShapes.BLOCK) {
                long lo = 0;
                long hi = 0;
                for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                    FloatVector v = HalfVectors.roundTo(dtype,
                            HalfVectors.load(w, (first + j + (long) LANES * part) * esize, dtype).div(divisor));
                    IntVector codes = fp4 ? fp4Codes(v, dtype) : fp8Codes(v);
                    long bytes = CodePacking.codeBytes(codes, 0);
                    if (LANES == 16) {
                        lo = bytes;
                        hi = CodePacking.codeBytes(codes, 1);
                    } else {
                        int shift = 8 * LANES * part;
                        if (shift < 64) {
                            lo |= bytes << shift;
                        } else {
                            hi |= bytes << (shift - 64);
                        }
                    }
                }
                CodePacking.pack(lo, hi, bits, packed, out + (long) (group * g + j) * bits / 8);
            }
        }
    }

    /** nvfp4: scale E4M3 of {@code T(amax/6)·enc}, elements {@code T(w / T(scale))·enc} encoded with float32 distances. */
    private static void rowNv(MemorySegment w, DType dtype, long r, int cols, Float globalScale, MemorySegment packed,
                              MemorySegment scales) {
        int g = 16;
        int groups = cols / g;
        float enc = globalScale == null ? 1f : FpCodecs.FP8_MAX * FpCodecs.FP4_MAX / globalScale;
        long out = r * BitPacking.words(cols, 4) * 4;
        int esize = dtype.byteSize();
        FloatVector encoder = FloatVector.broadcast(F, enc);
        for (int group = 0; group < groups; group++) {
            long first = r * cols + (long) group * g;
            float scale = FloatFormats.roundTo(dtype, amax(w, dtype, first, g) / FpCodecs.FP4_MAX);
            int scaleCode = FpCodecs.fp8Encode(scale * enc);
            float decoded = FloatFormats.roundTo(dtype, FpCodecs.fp8Decode(scaleCode));
            scales.set(ValueLayout.JAVA_BYTE, r * groups + group, (byte) scaleCode);
            FloatVector divisor = FloatVector.broadcast(F, decoded);
            long lo = 0;
            long hi = 0;
            for (int part = 0; part < LaneShapes.PER_BLOCK; part++) {
                FloatVector v = HalfVectors.roundTo(dtype,
                        HalfVectors.load(w, (first + (long) LANES * part) * esize, dtype).div(divisor)).mul(encoder);
                IntVector codes = fp4Codes(v, DType.FLOAT32);
                long bytes = CodePacking.codeBytes(codes, 0);
                if (LANES == 16) {
                    lo = bytes;
                    hi = CodePacking.codeBytes(codes, 1);
                } else {
                    int shift = 8 * LANES * part;
                    if (shift < 64) {
                        lo |= bytes << shift;
                    } else {
                        hi |= bytes << (shift - 64);
                    }
                }
            }
            CodePacking.pack(lo, hi, 4, packed, out + (long) group * g / 2);
        }
    }

    /**
     * {@link FpCodecs#fp4Encode} per lane: the code of the nearest E2M1 value, distances {@code |v − value|}
     * rounded to {@code distanceType}, the first (lowest) code among equal distances, code 0 for NaN.
     */
    static IntVector fp4Codes(FloatVector v, DType distanceType) {
        return switch (distanceType) {
            case FLOAT16 -> fp4CodesFloat16(v);
            case BFLOAT16 -> fp4CodesBFloat16(v);
            default -> fp4CodesFloat32(v);
        };
    }

    private static IntVector fp4CodesFloat32(FloatVector v) {
        IntVector best = IntVector.zero(I);
        FloatVector bestDistance = v.sub(E2M1[0]).abs();
        for (int code = 1; code < 16; code++) {
            FloatVector d = v.sub(E2M1[code]).abs();
            VectorMask<Float> closer = d.compare(VectorOperators.LT, bestDistance);
            bestDistance = bestDistance.blend(d, closer);
            best = best.blend(code, closer.cast(I));
        }
        return best;
    }

    private static IntVector fp4CodesFloat16(FloatVector v) {
        IntVector best = IntVector.zero(I);
        FloatVector bestDistance = HalfVectors.roundToFloat16(v.sub(E2M1[0])).abs();
        for (int code = 1; code < 16; code++) {
            FloatVector d = HalfVectors.roundToFloat16(v.sub(E2M1[code])).abs();
            VectorMask<Float> closer = d.compare(VectorOperators.LT, bestDistance);
            bestDistance = bestDistance.blend(d, closer);
            best = best.blend(code, closer.cast(I));
        }
        return best;
    }

    private static IntVector fp4CodesBFloat16(FloatVector v) {
        IntVector best = IntVector.zero(I);
        FloatVector bestDistance = HalfVectors.roundToBFloat16(v.sub(E2M1[0])).abs();
        for (int code = 1; code < 16; code++) {
            FloatVector d = HalfVectors.roundToBFloat16(v.sub(E2M1[code])).abs();
            VectorMask<Float> closer = d.compare(VectorOperators.LT, bestDistance);
            bestDistance = bestDistance.blend(d, closer);
            best = best.blend(code, closer.cast(I));
        }
        return best;
    }

    /**
     * {@link FpCodecs#fp8Encode} per lane, on the float bits: saturate to 0x7E at |v| ≥ 448 (infinities and NaN
     * too), below 2^-6 round to a multiple of 2^-9 by adding 2^14, else round the mantissa to 3 bits to even.
     */
    static IntVector fp8Codes(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        IntVector sign = bits.and(0x80000000);
        IntVector magnitude = bits.and(0x7FFFFFFF);
        IntVector small = magnitude.reinterpretAsFloats().add(Float.intBitsToFloat(141 << 23)).reinterpretAsInts()
                .sub(141 << 23).and(0xFF);
        IntVector odd = magnitude.lanewise(VectorOperators.LSHR, 20).and(1);
        IntVector normal = magnitude.add(((7 - 127) << 23) + 0x7FFFF).add(odd).lanewise(VectorOperators.LSHR, 20).and(0xFF);
        IntVector code = normal.blend(small, magnitude.compare(VectorOperators.LT, 121 << 23))
                .blend(0x7E, magnitude.compare(VectorOperators.GE, 543 << 21));
        return code.or(sign.lanewise(VectorOperators.LSHR, 24));
    }
}
