package io.jmlx.quant;

import java.util.Objects;

/**
 * How one weight is quantized: group size, bits and mode, resolved (no defaults left open) and checked as
 * {@code quantize} checks them. What a per-layer entry of a checkpoint's quantization config describes.
 *
 * @param groupSize weights per scale
 * @param bits      bits per weight
 * @param mode      the quantization mode
 */
public record QuantizationSettings(int groupSize, int bits, QuantizationMode mode) {
    /**
     * Checks the combination with MLX's messages.
     *
     * @throws IllegalArgumentException if the mode does not support this group size or these bits
     */
    public QuantizationSettings {
        Objects.requireNonNull(mode, "mode");
        QuantChecks.checkSettings("quantize", mode, groupSize, bits);
    }

    /**
     * Resolves MLX-style optional arguments: a {@code null} group size or bits takes the mode's default, a
     * {@code null} mode is affine.
     *
     * @throws IllegalArgumentException with MLX's message for an unknown mode or an unsupported combination
     */
    public static QuantizationSettings of(Integer groupSize, Integer bits, String mode) {
        QuantizationMode m = mode == null ? QuantizationMode.AFFINE : QuantizationMode.parse("quantize", mode);
        return new QuantizationSettings(m.groupSizeOr(groupSize), m.bitsOr(bits), m);
    }

    /** E.g. {@code affine, group size 64, 4 bits}. */
    @Override
    public String toString() {
        return mode + ", group size " + groupSize + ", " + bits + " bits";
    }
}
