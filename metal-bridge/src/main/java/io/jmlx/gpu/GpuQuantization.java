package io.jmlx.gpu;

import io.jmlx.backend.QuantizationKernels;
import io.jmlx.backend.QuantizedBuffers;
import io.jmlx.backend.QuantizedLayout;
import io.jmlx.backend.QuantizedMatmulSpec;
import io.jmlx.kernels.FpFormat;
import io.jmlx.quant.QuantizationSettings;
import java.lang.foreign.MemorySegment;

/** The quantization family on the GPU ({@link GpuKernels}): each call records its kernels and returns at once. */
final class GpuQuantization implements QuantizationKernels {
    private final GpuKernels gpu;

    GpuQuantization(GpuKernels gpu) {
        this.gpu = gpu;
    }

    @Override
    public void quantize(QuantizedLayout layout, MemorySegment w, QuantizedBuffers out) {
        QuantizationSettings s = layout.settings();
        if (s.mode().isAffine()) {
            gpu.affineQuantizeAsync(
                    w,
                    layout.dtype(),
                    layout.rows(),
                    layout.cols(),
                    s.groupSize(),
                    s.bits(),
                    out.packed(),
                    out.scales(),
                    out.biases());
        } else {
            gpu.fpQuantizeAsync(
                    w,
                    layout.dtype(),
                    layout.rows(),
                    layout.cols(),
                    FpFormat.of(s.mode()),
                    layout.globalScale(),
                    out.packed(),
                    out.scales());
        }
    }

    @Override
    public void dequantize(QuantizedLayout layout, QuantizedBuffers in, MemorySegment out) {
        QuantizationSettings s = layout.settings();
        if (s.mode().isAffine()) {
            gpu.affineDequantizeAsync(
                    in.packed(),
                    in.scales(),
                    in.biases(),
                    layout.dtype(),
                    layout.rows(),
                    layout.cols(),
                    s.groupSize(),
                    s.bits(),
                    out);
        } else {
            gpu.fpDequantizeAsync(
                    in.packed(),
                    in.scales(),
                    layout.rows(),
                    layout.cols(),
                    FpFormat.of(s.mode()),
                    layout.globalScale(),
                    layout.dtype(),
                    out);
        }
    }

    @Override
    public void matmul(QuantizedMatmulSpec spec, MemorySegment x, QuantizedBuffers w, MemorySegment out) {
        QuantizationSettings s = spec.settings();
        if (s.mode().isAffine()) {
            gpu.affineMatmulAsync(
                    x,
                    w.packed(),
                    w.scales(),
                    w.biases(),
                    spec.dtype(),
                    1,
                    spec.m(),
                    spec.k(),
                    spec.n(),
                    spec.transpose(),
                    true,
                    s.groupSize(),
                    s.bits(),
                    out);
        } else {
            gpu.fpMatmulAsync(
                    x,
                    w.packed(),
                    w.scales(),
                    spec.dtype(),
                    1,
                    spec.m(),
                    spec.k(),
                    spec.n(),
                    spec.transpose(),
                    true,
                    FpFormat.of(s.mode()),
                    spec.globalScale(),
                    out);
        }
    }
}
