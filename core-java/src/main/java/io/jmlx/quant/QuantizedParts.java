package io.jmlx.quant;

import io.jmlx.Array;

/**
 * What {@code quantize} returns, as MLX's {@code (w_q, scales, biases)}: packed uint32 codes of shape
 * {@code [..., K*bits/32]}, and scales and biases of shape {@code [..., K/groupSize]} in the weight's float type.
 */
public record QuantizedParts(Array packed, Array scales, Array biases) {
}
