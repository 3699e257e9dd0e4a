package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.backend.BinaryFunction;
import io.jmlx.backend.Broadcast;
import io.jmlx.backend.ElementwiseKernels;
import io.jmlx.backend.UnaryFunction;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.kernels.Erf;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.Consumer;

/**
 * Elementwise math on the GPU: {@code unary.glsl} (one kernel per {@link UnaryFunction}, the fused activations
 * included, in float-float and rounded once as the CPU rounds its double result) and {@code binary.comp} (float32 arithmetic with
 * broadcasting, the CPU's bits). Each call records its work and returns.
 */
final class GpuElementwise implements ElementwiseKernels {
    private final Dispatcher d;
    private MemorySegment erfTable;

    GpuElementwise(Dispatcher dispatcher) {
        this.d = dispatcher;
    }

    @Override
    public void unary(UnaryFunction f, DType dtype, long count, MemorySegment in, MemorySegment out) {
        Dispatcher.checkFloat(dtype, "the input");
        int es = dtype.byteSize();
        Dispatcher.Operand input = d.input("in", in, count * es, es);
        Dispatcher.Operand output = d.output("out", out, count * es);
        Dispatcher.Operand table = d.input("erf table", erfTable(), erfTable().byteSize(), 4);
        ComputePipeline pipeline = d.pipeline(GpuKernel.valueOf("UNARY_" + f.name()), Dispatcher.typeCode(dtype));
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(input);
        for (StridedBlocks b : flat(count, es)) {
            Dispatcher.Binding bi = d.bind(input, b.first()[0] * es, b.count() * es, es);
            Dispatcher.Binding bo = d.bind(output, b.outFirst() * es, b.count() * es, es);
            Dispatcher.Binding bt = d.bind(table, 0, table.data().byteSize(), 4);
            int[] push = {(int) b.count(), bi.baseIndex(), bo.baseIndex()};
            steps.add(d.dispatchInvocations(
                    pipeline, new Dispatcher.Binding[] {bi, bo, bt}, push, wordsSpanned(bo, b.count(), es)));
        }
        d.submit(steps, null, List.of(input, table), output);
    }

    @Override
    public void binary(
            BinaryFunction f, Broadcast shapes, DType dtype, MemorySegment a, MemorySegment b, MemorySegment out) {
        Dispatcher.checkFloat(dtype, "the operands");
        int es = dtype.byteSize();
        int[] shape = shapes.out();
        long count = io.jmlx.Shape.size(shape);
        Dispatcher.Operand inA = d.input("a", a, io.jmlx.Shape.size(shapes.a()) * es, es);
        Dispatcher.Operand inB = d.input("b", b, io.jmlx.Shape.size(shapes.b()) * es, es);
        Dispatcher.Operand output = d.output("out", out, count * es);
        ComputePipeline pipeline = d.pipeline(GpuKernel.BINARY, Dispatcher.typeCode(dtype), f.ordinal());
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(inA, inB);
        long range = d.usableRange() / es;
        long[][] strides = {broadcastStrides(shape, shapes.a()), broadcastStrides(shape, shapes.b())};
        long outRange = d.elementsPerDispatch(es);
        for (StridedBlocks block : StridedBlocks.of(longs(shape), strides, new long[] {range, range}, outRange, 1)) {
            Dispatcher.Binding ba = d.bind(inA, block.first()[0] * es, block.extent()[0] * es, es);
            Dispatcher.Binding bb = d.bind(inB, block.first()[1] * es, block.extent()[1] * es, es);
            Dispatcher.Binding bo = d.bind(output, block.outFirst() * es, block.count() * es, es);
            int[] push = concat(
                    new int[] {(int) block.count(), ba.baseIndex(), bb.baseIndex(), bo.baseIndex()}, block.axes());
            steps.add(d.dispatchInvocations(
                    pipeline, new Dispatcher.Binding[] {ba, bb, bo}, push, wordsSpanned(bo, block.count(), es)));
        }
        d.submit(steps, null, List.of(inA, inB), output);
    }

    /** The strides of an operand of shape {@code from} broadcast to {@code to} (aligned on the last axes). */
    static long[] broadcastStrides(int[] to, int[] from) {
        long[] strides = new long[to.length];
        long stride = 1;
        for (int i = to.length - 1, j = from.length - 1; i >= 0; i--, j--) {
            if (j >= 0) {
                strides[i] = from[j] == 1 ? 0 : stride;
                stride *= from[j];
            }
        }
        return strides;
    }

    /** Blocks of {@code count} contiguous elements of {@code es} bytes, each within one binding. */
    private List<StridedBlocks> flat(long count, int es) {
        long range = d.elementsPerDispatch(es);
        return StridedBlocks.of(new long[] {count}, new long[][] {{1}}, new long[] {range}, range, 4 / es);
    }

    static long[] longs(int[] shape) {
        return java.util.Arrays.stream(shape).asLongStream().toArray();
    }

    /**
     * The words {@code count} elements of {@code elementBytes} bytes from {@code out}'s base touch: the invocations
     * of a kernel writing one output word each.
     */
    static long wordsSpanned(Dispatcher.Binding out, long count, int elementBytes) {
        long perWord = Math.max(1, 4 / elementBytes);
        return (out.base() % perWord + count + perWord - 1) / perWord;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The CPU's erf Taylor table as float pairs (hi, lo), uploaded once; ffmath.glsl knows its layout. */
    private synchronized MemorySegment erfTable() {
        if (erfTable == null) {
            if (Erf.STEPS_PER_UNIT != 64 || Erf.TABLE_LIMIT != 7 || Erf.DEGREE != 8) {
                throw new IllegalStateException("the CPU's erf table changed its layout; update ffmath.glsl");
            }
            double[] coefficients = Erf.taylorTable();
            MemorySegment table = d.memory().allocateUninitialized(8L * coefficients.length);
            for (int i = 0; i < coefficients.length; i++) {
                float hi = (float) coefficients[i];
                table.setAtIndex(ValueLayout.JAVA_FLOAT, 2L * i, hi);
                table.setAtIndex(ValueLayout.JAVA_FLOAT, 2L * i + 1, (float) (coefficients[i] - hi));
            }
            erfTable = table;
        }
        return erfTable;
    }
}
