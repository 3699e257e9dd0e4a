package io.jmlx.gpu;

import io.jmlx.backend.NormKernels;
import io.jmlx.backend.NormSpec;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code rms_norm} and {@code layer_norm} on the GPU ({@code norm.comp}: one work group per row, statistics in
 * float-float, MLX's order of rounding as the CPU kernels).
 */
final class GpuNorms implements NormKernels {
    private final Dispatcher d;

    GpuNorms(Dispatcher dispatcher) {
        this.d = dispatcher;
    }

    @Override
    public void rmsNorm(NormSpec spec, MemorySegment x, MemorySegment weight, MemorySegment out) {
        normalize(spec, x, weight, null, false, out);
    }

    @Override
    public void layerNorm(NormSpec spec, MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out) {
        normalize(spec, x, weight, bias, true, out);
    }

    private void normalize(
            NormSpec spec,
            MemorySegment x,
            MemorySegment weight,
            MemorySegment bias,
            boolean centered,
            MemorySegment out) {
        Dispatcher.checkFloat(spec.x(), "x");
        Dispatcher.checkFloat(spec.out(), "the output");
        int xs = spec.x().byteSize();
        int os = spec.out().byteSize();
        long rowBytes = (long) spec.size() * xs;
        Dispatcher.Operand inX = d.input("x", x, spec.rows() * rowBytes, xs);
        Dispatcher.Operand inW = spec.weight() == null ? inX : vector("weight", weight, spec, spec.weight());
        Dispatcher.Operand inB = spec.bias() == null ? inX : vector("bias", bias, spec, spec.bias());
        Dispatcher.Operand output = d.output("out", out, spec.rows() * spec.size() * os);
        ComputePipeline pipeline = d.pipeline(
                GpuKernel.NORM,
                Dispatcher.typeCode(spec.x()),
                spec.weight() == null ? 0 : Dispatcher.typeCode(spec.weight()),
                spec.bias() == null ? 0 : Dispatcher.typeCode(spec.bias()),
                Dispatcher.typeCode(spec.out()),
                spec.weight() == null ? 0 : 1,
                spec.bias() == null ? 0 : 1,
                centered ? 1 : 0);
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(inX, inW, inB);
        long chunk = Math.min(d.chunkRows(rowBytes, (long) spec.size() * os), d.maxWorkGroups());
        for (long r0 = 0; r0 < spec.rows(); r0 += chunk) {
            long rows = Math.min(chunk, spec.rows() - r0);
            Dispatcher.Binding bx = d.bind(inX, r0 * rowBytes, rows * rowBytes, xs);
            Dispatcher.Binding bw = vectorBinding(inW, spec, spec.weight());
            Dispatcher.Binding bb = vectorBinding(inB, spec, spec.bias());
            Dispatcher.Binding bo = d.bind(output, r0 * spec.size() * os, rows * spec.size() * os, os);
            int[] push = {
                (int) rows,
                spec.size(),
                Float.floatToRawIntBits(spec.eps()),
                bx.baseIndex(),
                bw.baseIndex(),
                bb.baseIndex(),
                bo.baseIndex()
            };
            steps.add(d.dispatch(pipeline, new Dispatcher.Binding[] {bx, bw, bb, bo}, push, rows, 1));
        }
        List<Dispatcher.Operand> inputs = new ArrayList<>(List.of(inX));
        if (spec.weight() != null) {
            inputs.add(inW);
        }
        if (spec.bias() != null) {
            inputs.add(inB);
        }
        d.submit(steps, null, inputs, output);
    }

    private Dispatcher.Operand vector(String name, MemorySegment segment, NormSpec spec, io.jmlx.DType type) {
        Dispatcher.checkFloat(type, name);
        return d.input(name, segment, (long) spec.size() * type.byteSize(), type.byteSize());
    }

    /** The weight's or bias's binding (x's first element, unread, when it is absent). */
    private Dispatcher.Binding vectorBinding(Dispatcher.Operand o, NormSpec spec, io.jmlx.DType type) {
        int es = type == null ? spec.x().byteSize() : type.byteSize();
        return d.bind(o, 0, type == null ? es : (long) spec.size() * es, es);
    }
}
