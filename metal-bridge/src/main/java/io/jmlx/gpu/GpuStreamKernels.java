package io.jmlx.gpu;

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
 * Every kernel family on the GPU, recording on one queue: what a GPU stream's ops call. Each call records its work
 * and returns at once; the {@link GpuWorkListener} hears of it. The two float64 paths (conversions from or to a
 * 64-bit type, float64 matmuls) go to the CPU kernels the stream provides, since Apple GPUs have no float64.
 */
public final class GpuStreamKernels implements Kernels {
    private final GpuKernels quantizationKernels;
    private final ElementwiseKernels elementwise;
    private final ConversionKernels conversion;
    private final ReductionKernels reductions;
    private final NormKernels norms;
    private final RopeKernels rope;
    private final GatherKernels gather;
    private final CopyKernels copies;
    private final MatmulKernels matmul;
    private final QuantizationKernels quantization;

    GpuStreamKernels(Dispatcher d, ConversionKernels wideConversions, MatmulKernels wideMatmul) {
        this.quantizationKernels = new GpuKernels(d);
        this.elementwise = new GpuElementwise(d);
        this.conversion = new GpuConversion(d, wideConversions);
        this.reductions = new GpuReductions(d);
        this.norms = new GpuNorms(d);
        this.rope = new GpuRope(d);
        this.gather = new GpuGather(d);
        this.copies = new GpuCopies(d);
        this.matmul = new GpuMatmul(d, wideMatmul);
        this.quantization = new GpuQuantization(quantizationKernels);
    }

    /** The queue the kernels record on (the stream submits it). */
    public GpuQueue queue() {
        return quantizationKernels.queue();
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
        return matmul;
    }

    @Override
    public QuantizationKernels quantization() {
        return quantization;
    }
}
