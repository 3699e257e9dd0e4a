package io.jmlx.nn;

import io.jmlx.quant.QuantizationSettings;

/**
 * A module that has a quantized counterpart (MLX: a module with {@code to_quantized}); what
 * {@link Quantization#quantize}'s default predicate looks for.
 */
public interface Quantizable {

    /**
     * The quantized counterpart of this module, with its weights quantized now with {@code settings} (this module
     * is left unchanged). Weights whose last dimension the group size does not divide throw MLX's messages.
     */
    Module toQuantized(QuantizationSettings settings);

    /**
     * MLX's {@code to_quantized(group_size, bits, mode)}: {@code null} group size or bits take the mode's defaults;
     * a {@code null} mode is {@code affine}. Invalid settings throw MLX's messages.
     */
    default Module toQuantized(Integer groupSize, Integer bits, String mode) {
        return toQuantized(QuantizationSettings.resolve(groupSize, bits, mode));
    }
}
