package io.jmlx.kernels;

import io.jmlx.DType;

/**
 * Conversions between float32 and the half types exactly as MLX performs them: round to nearest even, correct
 * subnormals, overflow to infinity. NaNs follow MLX too: float16 NaN becomes {@code sign | 0x7D00} and bfloat16
 * NaN becomes {@code 0x7FC0}.
 */
public final class FloatFormats {
    private FloatFormats() {}

    /** float32 to float16 bits (round to nearest even). */
    public static short toFloat16(float v) {
        if (Float.isNaN(v)) {
            return (short) (((Float.floatToRawIntBits(v) >>> 16) & 0x8000) | 0x7D00);
        }
        return Float.floatToFloat16(v);
    }

    /** float16 bits to float32 (exact). */
    public static float fromFloat16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** float32 to bfloat16 bits (round to nearest even). */
    public static short toBFloat16(float v) {
        if (Float.isNaN(v)) {
            return (short) 0x7FC0;
        }
        int u = Float.floatToRawIntBits(v);
        u += ((u >>> 16) & 1) + 0x7FFF;
        return (short) (u >>> 16);
    }

    /** bfloat16 bits to float32 (exact). */
    public static float fromBFloat16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds {@code v} to the nearest value of the floating type {@code t} and widens it back to float32:
     * the identity for float32 (and float64, whose values are already floats here).
     */
    public static float roundTo(DType t, float v) {
        return switch (t) {
            case FLOAT16 -> fromFloat16(toFloat16(v));
            case BFLOAT16 -> fromBFloat16(toBFloat16(v));
            default -> v;
        };
    }
}
