package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.backend.AxisLines;
import io.jmlx.backend.Reduction;
import io.jmlx.backend.ReductionKernels;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reductions along an axis and softmax on the GPU ({@code reduce.comp}: one work group per line, float-float sums
 * rounded once as the CPU rounds its double sums; max and argmax exact).
 */
final class GpuReductions implements ReductionKernels {
    /** reduce.comp's code of softmax (after the {@link Reduction} ordinals). */
    private static final int SOFTMAX = Reduction.values().length;

    private final Dispatcher d;

    GpuReductions(Dispatcher dispatcher) {
        this.d = dispatcher;
    }

    @Override
    public void reduce(Reduction r, AxisLines lines, DType inType, MemorySegment in, DType outType, MemorySegment out) {
        DType expected = r == Reduction.ARGMAX ? DType.UINT32 : inType;
        if (outType != expected) {
            throw new IllegalArgumentException(
                    r.mlxName() + " of " + inType + " gives " + expected + ", not " + outType);
        }
        run(r.ordinal(), lines, inType, in, outType, out, false);
    }

    @Override
    public void softmax(AxisLines lines, DType dtype, MemorySegment in, MemorySegment out) {
        run(SOFTMAX, lines, dtype, in, dtype, out, true);
    }

    /**
     * Bindings over runs of whole outer blocks that fit them; one work group per line, in dispatches of as many
     * lines as the device allows.
     */
    private void run(
            int op, AxisLines lines, DType inType, MemorySegment in, DType outType, MemorySegment out, boolean whole) {
        Dispatcher.checkFloat(inType, "the input");
        int es = inType.byteSize();
        int os = outType.byteSize();
        long block = (long) lines.length() * lines.inner(); // elements of one outer block
        long outBlock = whole ? block : lines.inner();
        Dispatcher.Operand input = d.input("in", in, lines.outer() * block * es, es);
        Dispatcher.Operand output = d.output("out", out, lines.outer() * outBlock * os);
        ComputePipeline pipeline = d.pipeline(GpuKernel.REDUCE, Dispatcher.typeCode(inType), op);
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(input);
        long chunk = d.chunkRows(block * es, outBlock * os);
        for (long o0 = 0; o0 < lines.outer(); o0 += chunk) {
            long outer = Math.min(chunk, lines.outer() - o0);
            Dispatcher.Binding bi = d.bind(input, o0 * block * es, outer * block * es, es);
            Dispatcher.Binding bo = d.bind(output, o0 * outBlock * os, outer * outBlock * os, os);
            long count = outer * lines.inner();
            for (long first = 0; first < count; first += d.maxWorkGroups()) {
                int[] push = {
                    (int) count, (int) first, lines.length(), (int) lines.inner(), bi.baseIndex(), bo.baseIndex()
                };
                steps.add(d.dispatch(
                        pipeline,
                        new Dispatcher.Binding[] {bi, bo},
                        push,
                        Math.min(d.maxWorkGroups(), count - first),
                        1));
            }
        }
        d.submit(steps, null, List.of(input), output);
    }
}
