package io.jmlx.gpu.backend;

import io.jmlx.backend.QuantizationKernels;
import io.jmlx.backend.QuantizedBuffers;
import io.jmlx.backend.QuantizedLayout;
import io.jmlx.backend.QuantizedMatmulSpec;
import io.jmlx.gpu.GpuKernels;
import io.jmlx.kernels.FpFormat;
import io.jmlx.quant.QuantizationSettings;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The quantization family on the GPU: each call records its kernels on the stream's queue and returns at once. */
final class GpuQuantization implements QuantizationKernels {
    private final GpuKernels gpu;
    private final GpuStream stream;

    GpuQuantization(GpuKernels gpu, GpuStream stream) {
        this.gpu = gpu;
        this.stream = stream;
    }

    @Override
    public void quantize(QuantizedLayout layout, MemorySegment w, QuantizedBuffers out) {
        QuantizationSettings s = layout.settings();
        CompletableFuture<Void> work = s.mode().isAffine()
                ? gpu.affineQuantizeAsync(
                        w,
                        layout.dtype(),
                        layout.rows(),
                        layout.cols(),
                        s.groupSize(),
                        s.bits(),
                        out.packed(),
                        out.scales(),
                        out.biases())
                : gpu.fpQuantizeAsync(
                        w,
                        layout.dtype(),
                        layout.rows(),
                        layout.cols(),
                        FpFormat.of(s.mode()),
                        layout.globalScale(),
                        out.packed(),
                        out.scales());
        stream.track(work, List.of(w), segments(out));
    }

    @Override
    public void dequantize(QuantizedLayout layout, QuantizedBuffers in, MemorySegment out) {
        QuantizationSettings s = layout.settings();
        CompletableFuture<Void> work = s.mode().isAffine()
                ? gpu.affineDequantizeAsync(
                        in.packed(),
                        in.scales(),
                        in.biases(),
                        layout.dtype(),
                        layout.rows(),
                        layout.cols(),
                        s.groupSize(),
                        s.bits(),
                        out)
                : gpu.fpDequantizeAsync(
                        in.packed(),
                        in.scales(),
                        layout.rows(),
                        layout.cols(),
                        FpFormat.of(s.mode()),
                        layout.globalScale(),
                        layout.dtype(),
                        out);
        stream.track(work, segments(in), List.of(out));
    }

    @Override
    public void matmul(QuantizedMatmulSpec spec, MemorySegment x, QuantizedBuffers w, MemorySegment out) {
        QuantizationSettings s = spec.settings();
        CompletableFuture<Void> work = s.mode().isAffine()
                ? gpu.affineMatmulAsync(
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
                        out)
                : gpu.fpMatmulAsync(
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
        List<MemorySegment> reads = new ArrayList<>(segments(w));
        reads.add(x);
        stream.track(work, reads, List.of(out));
    }

    private static List<MemorySegment> segments(QuantizedBuffers b) {
        List<MemorySegment> out = new ArrayList<>(List.of(b.packed(), b.scales()));
        if (b.biases() != null) {
            out.add(b.biases());
        }
        return out;
    }
}
