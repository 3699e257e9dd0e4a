package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.backend.ConversionKernels;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * Type conversion on the GPU ({@code convert.comp}) between the float, integer and bool types of at most 32 bits,
 * the CPU's bits exactly. Conversions from or to a 64-bit type (float64, int64, uint64) take {@code wide}, the
 * CPU's kernel run in order with the stream's GPU work: the CPU converts those through double precision, which
 * Apple GPUs do not have.
 */
final class GpuConversion implements ConversionKernels {
    private final Dispatcher d;
    private final ConversionKernels wide;

    GpuConversion(Dispatcher dispatcher, ConversionKernels wide) {
        this.d = dispatcher;
        this.wide = wide;
    }

    @Override
    public void convert(DType from, DType to, long count, MemorySegment in, MemorySegment out) {
        if (code(from) < 0 || code(to) < 0) {
            wide.convert(from, to, count, in, out);
            return;
        }
        int inSize = from.byteSize();
        int outSize = to.byteSize();
        Dispatcher.Operand input = d.input("in", in, count * inSize, inSize);
        Dispatcher.Operand output = d.output("out", out, count * outSize);
        ComputePipeline pipeline = d.pipeline(GpuKernel.CONVERT, code(from), code(to));
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(input);
        long range = Math.min(d.usableRange() / Math.max(inSize, outSize), d.elementsPerDispatch(outSize));
        for (StridedBlocks b :
                StridedBlocks.of(new long[] {count}, new long[][] {{1}}, new long[] {range}, range, 4 / outSize)) {
            Dispatcher.Binding bi = d.bind(input, b.first()[0] * inSize, b.count() * inSize, inSize);
            Dispatcher.Binding bo = d.bind(output, b.outFirst() * outSize, b.count() * outSize, outSize);
            int[] push = {(int) b.count(), bi.baseIndex(), bo.baseIndex()};
            steps.add(d.dispatchInvocations(
                    pipeline,
                    new Dispatcher.Binding[] {bi, bo},
                    push,
                    GpuElementwise.wordsSpanned(bo, b.count(), outSize)));
        }
        d.submit(steps, null, List.of(input), output);
    }

    /** convert.comp's code of a type, or -1 for the types the GPU does not convert. */
    private static int code(DType t) {
        return switch (t) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case BFLOAT16 -> 2;
            case BOOL -> 3;
            case UINT8 -> 4;
            case INT8 -> 5;
            case UINT16 -> 6;
            case INT16 -> 7;
            case UINT32 -> 8;
            case INT32 -> 9;
            default -> -1;
        };
    }
}
