package io.jmlx.backend;

/**
 * The kernel families of one device stream, one small interface each (as Lucene's vectorization provider): the ops
 * check their arguments and pick the family; the kernels compute. Kernels get contiguous little-endian segments
 * and one value type per concept, and throw unchecked exceptions for data they cannot handle (the op then fails at
 * {@code eval} with an {@code EvaluationException} naming it).
 */
public interface Kernels {

    /** Unary and binary elementwise math, with broadcasting. */
    ElementwiseKernels elementwise();

    /** Conversion between element types. */
    ConversionKernels conversion();

    /** Reductions along an axis, softmax. */
    ReductionKernels reductions();

    /** {@code rms_norm} and {@code layer_norm}. */
    NormKernels norms();

    /** Rotary position embedding. */
    RopeKernels rope();

    /** Gathering slices by index ({@code take}). */
    GatherKernels gather();

    /** The copies behind transpose, slice and concatenate. */
    CopyKernels copies();

    /** Dense matrix products. */
    MatmulKernels matmul();

    /** Quantize, dequantize and quantized matrix products. */
    QuantizationKernels quantization();
}
