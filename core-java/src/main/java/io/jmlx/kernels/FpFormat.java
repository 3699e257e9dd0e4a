package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.quant.QuantizationMode;

/**
 * The microscaling formats of MLX's non-affine modes: element codec, scale codec and the fixed group size and bits.
 * {@code mxfp4}: E2M1 elements, E8M0 scale per 32; {@code mxfp8}: E4M3 elements, E8M0 scale per 32;
 * {@code nvfp4}: E2M1 elements, E4M3 scale per 16 (and an optional float32 global scale).
 */
public enum FpFormat {
    MXFP4(QuantizationMode.MXFP4),
    MXFP8(QuantizationMode.MXFP8),
    NVFP4(QuantizationMode.NVFP4);

    private final int groupSize;
    private final int bits;

    FpFormat(QuantizationMode mode) {
        this.groupSize = mode.defaultGroupSize();
        this.bits = mode.defaultBits();
    }

    /** The format of a microscaling mode. */
    public static FpFormat of(QuantizationMode mode) {
        return switch (mode) {
            case MXFP4 -> MXFP4;
            case MXFP8 -> MXFP8;
            case NVFP4 -> NVFP4;
            case AFFINE -> throw new IllegalArgumentException("affine is not a microscaling format");
        };
    }

    /** The one group size this format has. */
    public int groupSize() {
        return groupSize;
    }

    /** Bits per element code. */
    public int bits() {
        return bits;
    }

    /** Largest element magnitude: 6 (E2M1) or 448 (E4M3). */
    float maxElement() {
        return bits == 4 ? FpCodecs.FP4_MAX : FpCodecs.FP8_MAX;
    }

    /** The value of element code {@code code}. */
    float element(int code) {
        return bits == 4 ? FpCodecs.fp4Value(code) : FpCodecs.fp8Decode(code);
    }

    /** The value of scale byte {@code code}: E4M3 for nvfp4, E8M0 for the mx formats. */
    public float scale(int code) {
        return this == NVFP4 ? FpCodecs.fp8Decode(code) : FpCodecs.e8m0Value(code);
    }

    /**
     * A group's scale byte and the divisor its elements are divided by, by MLX's CPU rule (the one place it is
     * written): mx: {@code scale = T(amax / max)}, {@code e = rint(T(log2(scale)))} (0 for a zero scale), divisor
     * {@code T(2^e)}, byte {@code e + 127}; nvfp4: byte {@code E4M3(T(amax / 6) · enc)}, divisor that byte decoded
     * and rounded to T. T is the input's type.
     *
     * @param amax the group's largest magnitude
     * @param enc  nvfp4's encoder factor ({@code 448·6 / globalScale}, or 1 without a global scale)
     */
    public GroupScale groupScale(float amax, DType dtype, float enc) {
        if (this == NVFP4) {
            int scaleByte = FpCodecs.fp8Encode(FloatFormats.roundTo(dtype, amax / FpCodecs.FP4_MAX) * enc);
            return new GroupScale(scaleByte, FloatFormats.roundTo(dtype, FpCodecs.fp8Decode(scaleByte)));
        }
        float scale = FloatFormats.roundTo(dtype, amax / maxElement());
        int e = mxExponent(scale, dtype);
        return new GroupScale((e + 127) & 0xFF, FloatFormats.roundTo(dtype, Math.scalb(1f, e)));
    }

    /**
     * The exponent of an mx group scale (part of {@link #groupScale}): {@code rint(T(log2(scale)))}, log2 and its
     * rounding to the input's type T as MLX's CPU graph does, 0 for a zero scale.
     */
    public static int mxExponent(float scale, DType dtype) {
        return scale == 0f ? 0 : (int) Math.rint(FloatFormats.roundTo(dtype, FpCodecs.log2(scale)));
    }

    /** A group's scale byte and the divisor of its elements; see {@link #groupScale}. */
    public record GroupScale(int scaleByte, float divisor) {}

    /** The factor a global scale {@code g} contributes to decoded values: {@code g / (448·6)} (nvfp4 only). */
    public static float globalFactor(float g) {
        return g / (FpCodecs.FP8_MAX * FpCodecs.FP4_MAX);
    }
}
