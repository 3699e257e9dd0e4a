package io.jmlx.kernels.vector;

import io.jmlx.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.S;

/**
 * Conversions between float32 lanes and the half types, bit for bit as {@link io.jmlx.kernels.FloatFormats} does
 * them (round to nearest even, correct subnormals, overflow to infinity, MLX's NaNs), built from integer and float
 * lane operations because the Vector API has no half-precision conversions.
 */
final class HalfVectors {
    private HalfVectors() {
    }

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Loads {@code LANES} elements of {@code dtype} (float32, float16 or bfloat16) at byte offset {@code offset}, widened exactly. */
    static FloatVector load(MemorySegment seg, long offset, DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> FloatVector.fromMemorySegment(F, seg, offset, LE);
            case FLOAT16 -> fromFloat16(shorts(seg, offset));
            default -> fromBFloat16(shorts(seg, offset));
        };
    }

    /** Stores {@code v} as {@code LANES} elements of {@code dtype} at byte offset {@code offset}, rounding to nearest even. */
    static void store(FloatVector v, DType dtype, MemorySegment seg, long offset) {
        switch (dtype) {
            case FLOAT32 -> v.intoMemorySegment(seg, offset, LE);
            case FLOAT16 -> narrow(float16Bits(v)).intoMemorySegment(seg, offset, LE);
            default -> narrow(bfloat16Bits(v)).intoMemorySegment(seg, offset, LE);
        }
    }

    /** Rounds every lane to {@code dtype} and widens it back: the identity for float32. */
    static FloatVector roundTo(DType dtype, FloatVector v) {
        return switch (dtype) {
            case FLOAT16 -> roundToFloat16(v);
            case BFLOAT16 -> roundToBFloat16(v);
            default -> v;
        };
    }

    private static IntVector shorts(MemorySegment seg, long offset) {
        return (IntVector) ShortVector.fromMemorySegment(S, seg, offset, LE).convertShape(VectorOperators.S2I, I, 0);
    }

    private static ShortVector narrow(IntVector bits) {
        return (ShortVector) bits.convertShape(VectorOperators.I2S, S, 0);
    }

    /** bfloat16 bits (the low 16 bits of each lane) to float32: a shift. */
    static FloatVector fromBFloat16(IntVector bits) {
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * float16 bits (the low 16 bits of each lane) to float32, exactly as {@link Float#float16ToFloat}: normal
     * numbers move their exponent and fraction, subnormals are {@code fraction · 2^-24}, and infinities and NaNs
     * (payload kept) get the float32 exponent 255.
     */
    static FloatVector fromFloat16(IntVector bits) {
        IntVector magnitude = bits.and(0x7FFF);
        IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector normal = magnitude.lanewise(VectorOperators.LSHL, 13).add(112 << 23);
        normal = normal.blend(normal.add(112 << 23), magnitude.compare(VectorOperators.GE, 0x7C00));
        FloatVector subnormal = ((FloatVector) magnitude.convert(VectorOperators.I2F, 0)).mul(0x1p-24f);
        FloatVector value = normal.reinterpretAsFloats()
                .blend(subnormal, magnitude.compare(VectorOperators.LT, 0x400).cast(F));
        return value.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /**
     * Rounds every lane to the nearest bfloat16 (ties to even) as MLX does: add {@code 0x7FFF} plus the lowest kept
     * bit, clear the low half; NaN becomes {@code 0x7FC0}. Returns the float32 value.
     */
    static FloatVector roundToBFloat16(FloatVector v) {
        IntVector u = v.reinterpretAsInts();
        IntVector rounded = u.add(u.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7FFF).and(0xFFFF0000);
        return rounded.blend(0x7FC00000, v.compare(VectorOperators.NE, v).cast(I)).reinterpretAsFloats();
    }

    /** The bfloat16 bits of every lane (in the low 16 bits), rounded as {@link #roundToBFloat16}. */
    static IntVector bfloat16Bits(FloatVector v) {
        return roundToBFloat16(v).reinterpretAsInts().lanewise(VectorOperators.LSHR, 16);
    }

    /**
     * Rounds every lane to the nearest float16 value (ties to even, subnormals, overflow to infinity) and returns it
     * as float32. The rounding is float arithmetic: for |v| in the binade {@code [2^E, 2^(E+1))}, adding
     * {@code c = 2^(E+13)} leaves exactly float16's 10 fraction bits, so {@code (|v| + c) − c} is |v| rounded to
     * nearest even on float16's grid; below 2^-14 {@code c = 2^-1} gives the subnormal step 2^-24. A result of
     * 2^16 or more is infinity. NaN stays NaN (with its sign).
     */
    static FloatVector roundToFloat16(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        IntVector sign = bits.and(0x80000000);
        IntVector magnitudeBits = bits.and(0x7FFFFFFF);
        IntVector exponent = magnitudeBits.and(0x7F800000).max(113 << 23).min(143 << 23);
        FloatVector c = exponent.add(13 << 23).reinterpretAsFloats();
        FloatVector r = magnitudeBits.reinterpretAsFloats().add(c).sub(c);
        r = r.blend(Float.POSITIVE_INFINITY, r.compare(VectorOperators.GE, 0x1p16f));
        return r.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /**
     * The float16 bits of every lane (in the low 16 bits), as {@link io.jmlx.kernels.FloatFormats#toFloat16}:
     * rounded as {@link #roundToFloat16}, NaN becomes {@code sign | 0x7D00}.
     */
    static IntVector float16Bits(FloatVector v) {
        FloatVector r = roundToFloat16(v);
        IntVector bits = r.reinterpretAsInts();
        IntVector sign = bits.lanewise(VectorOperators.LSHR, 16).and(0x8000);
        IntVector magnitudeBits = bits.and(0x7FFFFFFF);
        // Normal: rebias the exponent. Subnormal (|r| = m·2^-24, m < 1024): 0.5 + |r| has m as its low fraction bits.
        IntVector normal = magnitudeBits.lanewise(VectorOperators.LSHR, 13).sub(112 << 10);
        IntVector subnormal = magnitudeBits.reinterpretAsFloats().add(0.5f).reinterpretAsInts().sub(0x3F000000);
        IntVector result = normal.blend(subnormal, magnitudeBits.compare(VectorOperators.LT, 0x38800000));
        result = result.blend(0x7C00, magnitudeBits.compare(VectorOperators.EQ, 0x7F800000));
        result = result.blend(0x7D00, magnitudeBits.compare(VectorOperators.GT, 0x7F800000));
        return result.or(sign);
    }
}
