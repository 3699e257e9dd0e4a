package io.jmlx.nn;

/**
 * A module that has a quantized counterpart (MLX: a module with {@code to_quantized}); what
 * {@link Quantization#quantize}'s default predicate looks for.
 */
public interface Quantizable {

    /**
     * The quantized counterpart of this module, with its weights quantized now (this module is left unchanged).
     * {@code null} group size or bits take the mode's defaults; a {@code null} mode is {@code affine}. Invalid
     * settings and weights whose last dimension the group size does not divide throw MLX's messages.
     */
    Module toQuantized(Integer groupSize, Integer bits, String mode);
}
