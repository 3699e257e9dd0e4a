package io.jmlx.backend;

import io.jmlx.DType;
import io.jmlx.quant.QuantizationSettings;

/**
 * One quantized product {@code out[m × n] = x[m × k] · Ŵ}, Ŵ the dequantized weight: with {@code transpose} W is
 * stored {@code [n, k]} (groups along k) and the product is {@code x · Ŵᵀ}; without, W is stored {@code [k, n]}
 * (groups along n). x, affine scales and biases, and out are of {@code dtype}.
 *
 * @param globalScale nvfp4's optional global scale, {@code null} for none
 */
public record QuantizedMatmulSpec(
        int m, int k, int n, boolean transpose, DType dtype, QuantizationSettings settings, Float globalScale) {}
