package io.jmlx.gpu;

import io.jmlx.backend.RopeKernels;
import io.jmlx.backend.RopeSpec;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.kernels.RopeAngles;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Consumer;

/**
 * Rotary position embedding on the GPU ({@code rope.comp}). The cosines and sines are the CPU kernel's, computed
 * here in double precision by {@link RopeAngles} (one table of {@code length × dims/2} entries, small beside the
 * data) and handed over as float pairs; the GPU rotates every row in float-float and rounds once.
 */
final class GpuRope implements RopeKernels {
    private final Dispatcher d;

    GpuRope(Dispatcher dispatcher) {
        this.d = dispatcher;
    }

    @Override
    public void rope(RopeSpec spec, MemorySegment in, MemorySegment out) {
        Dispatcher.checkFloat(spec.dtype(), "the input");
        int es = spec.dtype().byteSize();
        int half = spec.dims() / 2;
        long rowBytes = (long) spec.features() * es;
        Dispatcher.Operand input = d.input("in", in, spec.rows() * rowBytes, es);
        Dispatcher.Operand table = d.input("table", table(spec), 16L * spec.length() * half, 4);
        Dispatcher.Operand output = d.output("out", out, spec.rows() * rowBytes);
        ComputePipeline pipeline =
                d.pipeline(GpuKernel.ROPE, Dispatcher.typeCode(spec.dtype()), spec.traditional() ? 1 : 0);
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(input);
        long tasks = half + spec.features() - spec.dims();
        long chunk = Math.min(d.chunkRows(rowBytes), d.maxInvocations() / Math.max(1, tasks));
        if (chunk < 1) {
            throw new IllegalArgumentException("one row of rope needs " + tasks + " invocations, more than one "
                    + "dispatch may have (" + d.maxInvocations() + ")");
        }
        for (long r0 = 0; r0 < spec.rows(); r0 += chunk) {
            long rows = Math.min(chunk, spec.rows() - r0);
            Dispatcher.Binding bi = d.bind(input, r0 * rowBytes, rows * rowBytes, es);
            Dispatcher.Binding bt = d.bind(table, 0, table.data().byteSize(), 4);
            Dispatcher.Binding bo = d.bind(output, r0 * rowBytes, rows * rowBytes, es);
            int[] push = {
                (int) rows,
                (int) (r0 % spec.length()),
                spec.length(),
                spec.features(),
                spec.dims(),
                bi.baseIndex(),
                bo.baseIndex()
            };
            steps.add(d.dispatchInvocations(pipeline, new Dispatcher.Binding[] {bi, bt, bo}, push, rows * tasks));
        }
        d.submit(steps, null, List.of(input, table), output);
    }

    /** (cos hi, cos lo, sin hi, sin lo) per sequence index and pair: the CPU kernel's {@link RopeAngles}. */
    private MemorySegment table(RopeSpec spec) {
        int entries = spec.length() * (spec.dims() / 2);
        double[] cos = new double[entries];
        double[] sin = new double[entries];
        RopeAngles.compute(spec, cos, sin);
        MemorySegment table = d.memory().allocateUninitialized(Math.max(16L * entries, 4));
        for (int i = 0; i < entries; i++) {
            putPair(table, 4L * i, cos[i]);
            putPair(table, 4L * i + 2, sin[i]);
        }
        return table;
    }

    private static void putPair(MemorySegment table, long index, double value) {
        float hi = (float) value;
        table.setAtIndex(ValueLayout.JAVA_FLOAT, index, hi);
        table.setAtIndex(ValueLayout.JAVA_FLOAT, index + 1, (float) (value - hi));
    }
}
