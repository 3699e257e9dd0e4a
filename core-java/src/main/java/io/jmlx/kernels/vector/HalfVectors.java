package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;
import static io.jmlx.kernels.vector.LaneShapes.S;

import io.jmlx.DType;
import io.jmlx.kernels.FloatFormats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Conversions between float32 and the half types on vectors, bit for bit as {@link FloatFormats} does them (round
 * to nearest even, correct subnormals, overflow to infinity, MLX's NaNs), built from integer and float lane
 * operations because the Vector API has no half-precision conversions.
 *
 * <p>They work a row at a time, each type in a loop of its own whose body holds the whole conversion: a vector
 * passed to or returned from a method the JIT does not inline is boxed (an allocation per vector), and a small
 * helper that the JIT compiled on its own first is often not inlined later; loops over arrays have no such seam.
 */
final class HalfVectors {
    private HalfVectors() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    /** Element {@code index} of {@code seg} (float32, float16 or bfloat16) as a float, exactly. */
    static float get(MemorySegment seg, DType dtype, long index) {
        return switch (dtype) {
            case FLOAT16 -> FloatFormats.fromFloat16(seg.get(I16, 2 * index));
            case BFLOAT16 -> FloatFormats.fromBFloat16(seg.get(I16, 2 * index));
            default -> seg.get(F32, 4 * index);
        };
    }

    /**
     * Widens {@code n} elements of {@code dtype} at byte {@code from} of {@code src} into {@code dst[0, n)}, exactly.
     * Plain loops on purpose: the JIT turns them into vector conversions ({@code vcvtph2ps}) within milliseconds of
     * start, where the same conversion written with the Vector API ran a hundred times slower until compiled, seconds
     * later (it dominated a short {@code jmlx convert}).
     */
    static void widenRow(MemorySegment src, long from, DType dtype, float[] dst, int n) {
        switch (dtype) {
            case FLOAT16 -> {
                for (int j = 0; j < n; j++) {
                    dst[j] = Float.float16ToFloat(src.get(I16, from + 2L * j));
                }
            }
            case BFLOAT16 -> {
                for (int j = 0; j < n; j++) {
                    dst[j] = Float.intBitsToFloat(src.get(I16, from + 2L * j) << 16);
                }
            }
            default -> MemorySegment.copy(src, F32, from, dst, 0, n);
        }
    }

    /** Rounds {@code a[from, from + n)} in place to {@code dtype}'s nearest values (as float32): the identity for float32. */
    static void roundRow(float[] a, int from, int n, DType dtype) {
        switch (dtype) {
            case FLOAT16 -> roundFloat16(a, from, n);
            case BFLOAT16 -> roundBFloat16(a, from, n);
            default -> {}
        }
    }

    /**
     * Round to the nearest float16 value (ties to even, subnormals, overflow to infinity), as float arithmetic: for
     * |v| in the binade {@code [2^E, 2^(E+1))}, adding {@code c = 2^(E+13)} leaves exactly float16's 10 fraction
     * bits, so {@code (|v| + c) − c} is |v| rounded to nearest even on float16's grid; below 2^-14 {@code c = 2^-1}
     * gives the subnormal step 2^-24. A result of 2^16 or more is infinity. NaN stays NaN with its sign (its payload
     * does not matter: {@link FloatFormats#toFloat16} stores every NaN as {@code sign | 0x7D00}).
     */
    private static void roundFloat16(float[] a, int from, int n) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            IntVector bits = FloatVector.fromArray(F, a, from + j).reinterpretAsInts();
            IntVector sign = bits.and(0x80000000);
            IntVector magnitudeBits = bits.and(0x7FFFFFFF);
            IntVector exponent = magnitudeBits.and(0x7F800000).max(113 << 23).min(143 << 23);
            FloatVector c = exponent.add(13 << 23).reinterpretAsFloats();
            FloatVector r = magnitudeBits.reinterpretAsFloats().add(c).sub(c);
            r = r.blend(Float.POSITIVE_INFINITY, r.compare(VectorOperators.GE, 0x1p16f));
            r.reinterpretAsInts().or(sign).reinterpretAsFloats().intoArray(a, from + j);
        }
        for (; j < n; j++) {
            a[from + j] = FloatFormats.roundTo(DType.FLOAT16, a[from + j]);
        }
    }

    /**
     * Round to the nearest bfloat16 (ties to even) as MLX does: add {@code 0x7FFF} plus the lowest kept bit, clear
     * the low half; NaN becomes {@code 0x7FC0}.
     */
    private static void roundBFloat16(float[] a, int from, int n) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            FloatVector v = FloatVector.fromArray(F, a, from + j);
            IntVector u = v.reinterpretAsInts();
            IntVector rounded = u.add(u.lanewise(VectorOperators.LSHR, 16).and(1))
                    .add(0x7FFF)
                    .and(0xFFFF0000);
            rounded.blend(0x7FC00000, v.compare(VectorOperators.NE, v).cast(I))
                    .reinterpretAsFloats()
                    .intoArray(a, from + j);
        }
        for (; j < n; j++) {
            a[from + j] = FloatFormats.roundTo(DType.BFLOAT16, a[from + j]);
        }
    }

    /**
     * Stores {@code src[from, from + n)} as elements of {@code dtype} from element {@code index} of {@code dst},
     * rounded to nearest even as {@link FloatFormats} does. For the half types {@code src} is rounded in place
     * first.
     */
    static void storeRow(float[] src, int from, int n, DType dtype, MemorySegment dst, long index) {
        switch (dtype) {
            case FLOAT16 -> {
                roundFloat16(src, from, n);
                storeRoundedFloat16(src, from, n, dst, index);
            }
            case BFLOAT16 -> {
                roundBFloat16(src, from, n);
                storeRoundedBFloat16(src, from, n, dst, index);
            }
            default -> MemorySegment.copy(src, from, dst, F32, 4 * index, n);
        }
    }

    /**
     * Stores float16 values (exact, infinite or NaN) as their bits: normal numbers rebias the exponent; a subnormal
     * {@code |r| = m·2^-24} (m < 1024) is {@code 0.5 + |r|} minus 0.5's bits; NaN is {@code sign | 0x7D00}.
     */
    private static void storeRoundedFloat16(float[] src, int from, int n, MemorySegment dst, long index) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            IntVector bits = FloatVector.fromArray(F, src, from + j).reinterpretAsInts();
            IntVector sign = bits.lanewise(VectorOperators.LSHR, 16).and(0x8000);
            IntVector magnitudeBits = bits.and(0x7FFFFFFF);
            IntVector normal = magnitudeBits.lanewise(VectorOperators.LSHR, 13).sub(112 << 10);
            IntVector subnormal = magnitudeBits
                    .reinterpretAsFloats()
                    .add(0.5f)
                    .reinterpretAsInts()
                    .sub(0x3F000000);
            IntVector result = normal.blend(subnormal, magnitudeBits.compare(VectorOperators.LT, 0x38800000));
            result = result.blend(0x7C00, magnitudeBits.compare(VectorOperators.EQ, 0x7F800000));
            result = result.blend(0x7D00, magnitudeBits.compare(VectorOperators.GT, 0x7F800000));
            ((ShortVector) result.or(sign).convertShape(VectorOperators.I2S, S, 0))
                    .intoMemorySegment(dst, 2 * (index + j), LE);
        }
        for (; j < n; j++) {
            dst.set(I16, 2 * (index + j), FloatFormats.toFloat16(src[from + j]));
        }
    }

    /** Stores bfloat16 values as their bits: the high halves. */
    private static void storeRoundedBFloat16(float[] src, int from, int n, MemorySegment dst, long index) {
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            IntVector bits =
                    FloatVector.fromArray(F, src, from + j).reinterpretAsInts().lanewise(VectorOperators.LSHR, 16);
            ((ShortVector) bits.convertShape(VectorOperators.I2S, S, 0)).intoMemorySegment(dst, 2 * (index + j), LE);
        }
        for (; j < n; j++) {
            dst.set(I16, 2 * (index + j), FloatFormats.toBFloat16(src[from + j]));
        }
    }
}
