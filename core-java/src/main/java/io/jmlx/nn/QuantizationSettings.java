package io.jmlx.nn;

import io.jmlx.quant.QuantizationMode;

import java.util.Objects;

/**
 * How one layer is (to be) quantized: group size, bits and mode, all resolved (no defaults left open). These are the
 * values mlx-lm writes to {@code config.json} as {@code {"group_size": .., "bits": .., "mode": ..}}.
 */
public record QuantizationSettings(int groupSize, int bits, QuantizationMode mode) {

    /** Requires a mode. */
    public QuantizationSettings {
        Objects.requireNonNull(mode, "mode");
    }

    /**
     * Resolves MLX-style optional arguments: {@code null} group size or bits take the mode's defaults
     * (affine 64/4, mxfp4 32/4, mxfp8 32/8, nvfp4 16/4), a {@code null} mode is {@code affine}. An unknown mode
     * throws MLX's {@code Invalid quantization mode 'x'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.} The group
     * size and bits are checked when a weight is quantized with them.
     */
    public static QuantizationSettings resolve(Integer groupSize, Integer bits, String mode) {
        QuantizationMode m = parseMode(mode);
        return new QuantizationSettings(m.groupSizeOr(groupSize), m.bitsOr(bits), m);
    }

    /** MLX's nn-level mode parsing: {@code null} is {@code affine}; the message lists the valid modes. */
    static QuantizationMode parseMode(String mode) {
        if (mode == null) {
            return QuantizationMode.AFFINE;
        }
        for (QuantizationMode m : QuantizationMode.values()) {
            if (m.mlxName().equals(mode)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Invalid quantization mode '" + mode
                + "'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.");
    }
}
