package io.jmlx.kernels;

/**
 * The microscaling formats of MLX's non-affine modes: element codec, scale codec and the fixed group size and bits.
 * {@code mxfp4}: E2M1 elements, E8M0 scale per 32; {@code mxfp8}: E4M3 elements, E8M0 scale per 32;
 * {@code nvfp4}: E2M1 elements, E4M3 scale per 16 (and an optional float32 global scale).
 */
public enum FpFormat {
    MXFP4(32, 4),
    MXFP8(32, 8),
    NVFP4(16, 4);

    private final int groupSize;
    private final int bits;

    FpFormat(int groupSize, int bits) {
        this.groupSize = groupSize;
        this.bits = bits;
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

    /** The factor a global scale {@code g} contributes to decoded values: {@code g / (448·6)} (nvfp4 only). */
    public static float globalFactor(float g) {
        return g / (FpCodecs.FP8_MAX * FpCodecs.FP4_MAX);
    }
}
