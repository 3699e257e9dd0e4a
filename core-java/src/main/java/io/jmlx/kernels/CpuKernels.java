package io.jmlx.kernels;

import io.jmlx.backend.ConversionKernels;
import io.jmlx.backend.CopyKernels;
import io.jmlx.backend.ElementwiseKernels;
import io.jmlx.backend.GatherKernels;
import io.jmlx.backend.Kernels;
import io.jmlx.backend.MatmulKernels;
import io.jmlx.backend.NormKernels;
import io.jmlx.backend.QuantizationKernels;
import io.jmlx.backend.ReductionKernels;
import io.jmlx.backend.RopeKernels;

/**
 * Every kernel family on the CPU: the quantization and matmul kernels {@link KernelProvider} chose (Vector API or
 * scalar), and one plain implementation of each other family. Stateless, so one instance serves every stream.
 */
final class CpuKernels implements Kernels {
    private final KernelSet kernelSet;
    private final ElementwiseKernels elementwise = new CpuElementwise();
    private final ConversionKernels conversion = new CpuConversion();
    private final ReductionKernels reductions = new CpuReductions();
    private final NormKernels norms = new CpuNorms();
    private final RopeKernels rope = new CpuRope();
    private final GatherKernels gather = new CpuGather();
    private final CopyKernels copies = new CpuCopies();

    CpuKernels(KernelSet kernelSet) {
        this.kernelSet = kernelSet;
    }

    @Override
    public ElementwiseKernels elementwise() {
        return elementwise;
    }

    @Override
    public ConversionKernels conversion() {
        return conversion;
    }

    @Override
    public ReductionKernels reductions() {
        return reductions;
    }

    @Override
    public NormKernels norms() {
        return norms;
    }

    @Override
    public RopeKernels rope() {
        return rope;
    }

    @Override
    public GatherKernels gather() {
        return gather;
    }

    @Override
    public CopyKernels copies() {
        return copies;
    }

    @Override
    public MatmulKernels matmul() {
        return kernelSet;
    }

    @Override
    public QuantizationKernels quantization() {
        return kernelSet;
    }
}
