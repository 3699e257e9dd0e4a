package io.jmlx.backend;

import java.util.Objects;

/** The {@link Kernels} of a stream as plain values: what a backend assembles from its family implementations. */
public record KernelFamilies(
        ElementwiseKernels elementwise,
        ConversionKernels conversion,
        ReductionKernels reductions,
        NormKernels norms,
        RopeKernels rope,
        GatherKernels gather,
        CopyKernels copies,
        MatmulKernels matmul,
        QuantizationKernels quantization)
        implements Kernels {

    /** Checks that every family is there. */
    public KernelFamilies {
        Objects.requireNonNull(elementwise, "elementwise");
        Objects.requireNonNull(conversion, "conversion");
        Objects.requireNonNull(reductions, "reductions");
        Objects.requireNonNull(norms, "norms");
        Objects.requireNonNull(rope, "rope");
        Objects.requireNonNull(gather, "gather");
        Objects.requireNonNull(copies, "copies");
        Objects.requireNonNull(matmul, "matmul");
        Objects.requireNonNull(quantization, "quantization");
    }
}
