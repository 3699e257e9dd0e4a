package io.jmlx.quant;

import io.jmlx.Array;

/**
 * What {@code quantize} returns, as MLX's {@code (w_q, scales, biases)}: packed uint32 codes of shape
 * {@code [..., K*bits/32]}, and scales (and, in affine mode, biases) of shape {@code [..., K/groupSize]}. Affine
 * scales and biases have the weight's float type; microscaling modes have uint8 scales and {@code biases} is
 * {@code null}.
 */
public record QuantizedParts(Array packed, Array scales, Array biases) {}
