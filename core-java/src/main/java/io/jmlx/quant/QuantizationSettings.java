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
     * Resolves MLX-style optional arguments: a {@code null} group size or bits takes the mode's default (affine
     * 64/4, mxfp4 32/4, mxfp8 32/8, nvfp4 16/4), a {@code null} mode is affine.
     *
     * @throws IllegalArgumentException with MLX's messages for an unknown mode (see {@link #parseMode}) or an
     *                                  unsupported combination
     */
    public static QuantizationSettings resolve(Integer groupSize, Integer bits, String mode) {
        QuantizationMode m = parseMode(mode);
        return new QuantizationSettings(m.groupSizeOr(groupSize), m.bitsOr(bits), m);
    }

    /**
     * MLX's model-level mode parsing ({@code nn.quantize}, {@code to_quantized}): {@code null} is affine; an unknown
     * mode gets {@code Invalid quantization mode 'x'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.}
     */
    public static QuantizationMode parseMode(String mode) {
        if (mode == null) {
            return QuantizationMode.AFFINE;
        }
        for (QuantizationMode m : QuantizationMode.values()) {
            if (m.mlxName().equals(mode)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "Invalid quantization mode '" + mode + "'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.");
    }

    /** E.g. {@code affine, group size 64, 4 bits}. */
    @Override
    public String toString() {
        return mode + ", group size " + groupSize + ", " + bits + " bits";
    }
}
