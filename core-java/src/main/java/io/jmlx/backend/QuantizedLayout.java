package io.jmlx.backend;

import io.jmlx.DType;
import io.jmlx.quant.QuantizationSettings;

/**
 * A matrix of {@code rows × cols} weights quantized along its rows in MLX's layout with {@code settings}: each row is
 * {@code cols·bits/32} uint32 words of codes (a little-endian bit stream), with {@code cols/groupSize} scales (and
 * affine biases). {@code dtype} is the dense type: the weights' when quantizing, the output's when dequantizing.
 *
 * @param globalScale nvfp4's optional global scale, {@code null} for none
 */
public record QuantizedLayout(long rows, int cols, DType dtype, QuantizationSettings settings, Float globalScale) {}
