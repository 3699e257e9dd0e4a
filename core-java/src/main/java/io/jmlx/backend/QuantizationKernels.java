package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/**
 * Quantize, dequantize and quantized matrix products in every mode ({@link io.jmlx.quant.QuantizationMode}),
 * bit-exact with MLX's CPU backend for quantize and dequantize (spec: {@code shared/spec/mlx-quantization.md}).
 */
public interface QuantizationKernels {

    /**
     * Quantizes the {@code rows × cols} weights {@code w} (float32, float16 or bfloat16) into {@code out}: affine with
     * MLX's CPU algorithm (scales and biases of the weights' type), the microscaling modes with uint8 scales.
     *
     * @throws IllegalArgumentException if {@code w} holds NaN or an infinity (MLX's result is unspecified there)
     */
    void quantize(QuantizedLayout layout, MemorySegment w, QuantizedBuffers out);

    /**
     * Decodes into {@code out} of {@code layout.dtype()}: affine {@code scale · code + bias}, each op rounded to the
     * dtype (the scales' type); microscaled {@code element · scale} computed in the dtype, or in float32 with a global
     * scale.
     */
    void dequantize(QuantizedLayout layout, QuantizedBuffers in, MemorySegment out);

    /**
     * The product {@code spec} describes, sums accumulated in float32 and rounded once to the dtype. Implementations
     * may apply scale and bias per group ({@code s·Σx·q + b·Σx}); the order of additions depends on the shapes only,
     * never on the number of threads.
     */
    void matmul(QuantizedMatmulSpec spec, MemorySegment x, QuantizedBuffers w, MemorySegment out);
}
