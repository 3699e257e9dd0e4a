package io.jmlx.kernels;

/**
 * The element and scale codecs of MLX's microscaling modes (spec §5.1), as MLX's CPU backend computes them:
 * FP4 E2M1 elements (a 16-entry table), FP8 E4M3 elements and nvfp4 scales, and E8M0 power-of-two mx scales.
 */
public final class FpCodecs {
    private FpCodecs() {}

    /** E2M1 code → value: {@code +0, .5, 1, 1.5, 2, 3, 4, 6}, then the same negated (bit 3 is the sign). */
    private static final float[] E2M1 = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f
    };

    /** Largest E2M1 magnitude. */
    public static final float FP4_MAX = 6f;

    /** Largest E4M3 magnitude the encoder emits (it saturates there). */
    public static final float FP8_MAX = 448f;

    /** The value of E2M1 code {@code code} (0..15). */
    public static float fp4Value(int code) {
        return E2M1[code];
    }

    /**
     * MLX's CPU FP4 encoder: the code whose value is nearest to {@code v}, the <em>first</em> (lowest code) among
     * equal distances, so ties round toward the smaller magnitude (0.75 → 0.5) and -0.25 or -0 give code 0 (+0).
     * Distances are computed as {@code |v − value|} rounded to {@code distanceType} (MLX subtracts in the
     * array's type); a NaN {@code v} gives code 0. (MLX's Metal kernel rounds ties to even instead.)
     */
    public static int fp4Encode(float v, io.jmlx.DType distanceType) {
        int best = 0;
        float bestDistance = Float.NaN;
        for (int code = 0; code < 16; code++) {
            float d = Math.abs(FloatFormats.roundTo(distanceType, v - E2M1[code]));
            if (code == 0 || d < bestDistance) {
                best = code;
                bestDistance = d;
            }
        }
        return best;
    }

    /**
     * MLX's E4M3 encoder on the float32 bits of {@code v}: round to nearest even, saturating to ±448 (0x7E/0xFE)
     * for every magnitude ≥ 448 including infinities and NaN; it never emits 0x7F or 0xFF.
     */
    public static int fp8Encode(float v) {
        int bits = Float.floatToRawIntBits(v);
        int sign = bits & 0x80000000;
        int magnitude = bits ^ sign;
        int result;
        if (Integer.compareUnsigned(magnitude, 543 << 21) >= 0) {
            result = 0x7E;
        } else if (Integer.compareUnsigned(magnitude, 121 << 23) < 0) {
            // Below 2^-6: adding 2^14 rounds (to nearest even) to a multiple of 2^-9, the subnormal step.
            float shifted = Float.intBitsToFloat(magnitude) + Float.intBitsToFloat(141 << 23);
            result = (Float.floatToRawIntBits(shifted) - (141 << 23)) & 0xFF;
        } else {
            int odd = (magnitude >>> 20) & 1;
            result = ((magnitude + ((7 - 127) << 23) + 0x7FFFF + odd) >>> 20) & 0xFF;
        }
        return result | (sign >>> 24);
    }

    /** The value of E4M3 byte {@code code}: exact; MLX has no NaN here, 0x7F decodes to 480 and 0xFF to -480. */
    public static float fp8Decode(int code) {
        float magnitude = Float.float16ToFloat((short) ((code & 0x7F) << 7)) * 256f;
        return (code & 0x80) != 0 ? -magnitude : magnitude;
    }

    /** The value of E8M0 scale byte {@code e}: {@code 2^(e−127)}; 0 gives 2^-127 and 255 gives +∞. */
    public static float e8m0Value(int e) {
        return e == 255 ? Float.POSITIVE_INFINITY : Math.scalb(1f, (e & 0xFF) - 127);
    }

    /**
     * {@code log2(v)} of a positive float, correctly rounded to float for all practical purposes, and exact for
     * powers of two (as C's {@code log2f}).
     */
    public static float log2(float v) {
        double x = v;
        int shift = 0;
        if (Math.getExponent(v) < Float.MIN_EXPONENT) {
            x *= 0x1p64;
            shift = 64;
        }
        int exponent = Math.getExponent(x);
        double mantissa = x / Math.scalb(1.0, exponent);
        return (float) (exponent - shift + Math.log(mantissa) / Math.log(2.0));
    }
}
