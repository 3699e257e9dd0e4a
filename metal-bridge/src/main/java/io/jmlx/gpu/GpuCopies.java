package io.jmlx.gpu;

import io.jmlx.backend.CopyKernels;
import io.jmlx.backend.StridedCopy;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The copies behind transpose, slice and concatenate on the GPU, bit for bit: strided copies and matrix transposes
 * with {@code copy.comp} (8-byte elements as pairs of words), concatenation with the device's buffer copies.
 */
final class GpuCopies implements CopyKernels {
    private final Dispatcher d;

    GpuCopies(Dispatcher dispatcher) {
        this.d = dispatcher;
    }

    @Override
    public void copyStrided(StridedCopy copy, MemorySegment in, MemorySegment out) {
        strided(
                copy.start(),
                Arrays.stream(copy.shape()).asLongStream().toArray(),
                copy.strides(),
                copy.elementBytes(),
                in,
                out);
    }

    @Override
    public void transposeMatrices(
            long batches, int rows, int cols, int elementBytes, MemorySegment in, MemorySegment out) {
        long matrix = (long) rows * cols;
        strided(0, new long[] {batches, cols, rows}, new long[] {matrix, 1, cols}, elementBytes, in, out);
    }

    /** Output element {@code c} (row-major in {@code shape}) is input element {@code start + Σ c[d]·strides[d]}. */
    private void strided(
            long start, long[] shape, long[] strides, int elementBytes, MemorySegment in, MemorySegment out) {
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        int unit = elementBytes;
        if (elementBytes == 8) {
            // An 8-byte element is two words: one more axis of 2, steps counted in words.
            unit = 4;
            shape = Arrays.copyOf(shape, shape.length + 1);
            shape[shape.length - 1] = 2;
            long[] wordStrides = new long[strides.length + 1];
            for (int i = 0; i < strides.length; i++) {
                wordStrides[i] = 2 * strides[i];
            }
            wordStrides[strides.length] = 1;
            strides = wordStrides;
            start *= 2;
            count *= 2;
        } else if (elementBytes != 1 && elementBytes != 2 && elementBytes != 4) {
            throw new IllegalArgumentException("elements of " + elementBytes + " bytes cannot be copied on the GPU");
        }
        Dispatcher.Operand input = d.input("in", in, in.byteSize(), unit);
        Dispatcher.Operand output = d.output("out", out, count * unit);
        ComputePipeline pipeline = d.pipeline(GpuKernel.COPY, unit);
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(input);
        long range = d.usableRange() / unit;
        for (StridedBlocks b :
                StridedBlocks.of(shape, new long[][] {strides}, new long[] {range}, d.elementsPerDispatch(unit), 1)) {
            Dispatcher.Binding bi = d.bind(input, (start + b.first()[0]) * unit, b.extent()[0] * unit, unit);
            Dispatcher.Binding bo = d.bind(output, b.outFirst() * unit, b.count() * unit, unit);
            int[] push = GpuElementwise.concat(new int[] {(int) b.count(), bi.baseIndex(), bo.baseIndex()}, b.axes());
            steps.add(d.dispatchInvocations(
                    pipeline,
                    new Dispatcher.Binding[] {bi, bo},
                    push,
                    GpuElementwise.wordsSpanned(bo, b.count(), unit)));
        }
        d.submit(steps, null, List.of(input), output);
    }

    @Override
    public void concatenate(long outer, long[] chunkBytes, MemorySegment[] in, MemorySegment out) {
        long total = Arrays.stream(chunkBytes).sum();
        Dispatcher.Operand output = d.output("out", out, outer * total);
        List<Dispatcher.Operand> inputs = new ArrayList<>();
        List<Consumer<CommandRecorder>> steps = new ArrayList<>();
        long prefix = 0;
        for (int i = 0; i < in.length; i++) {
            Dispatcher.Operand input = d.input("input " + i, in[i], outer * chunkBytes[i], 1);
            inputs.add(input);
            steps.addAll(Dispatcher.copiesIn(input));
            if (chunkBytes[i] > 0 && outer > 0) {
                long[] from = new long[Math.toIntExact(outer)];
                long[] to = new long[from.length];
                long[] sizes = new long[from.length];
                for (int o = 0; o < from.length; o++) {
                    from[o] = input.location().offset() + o * chunkBytes[i];
                    to[o] = output.location().offset() + o * total + prefix;
                    sizes[o] = chunkBytes[i];
                }
                long src = input.location().buffer();
                long dst = output.location().buffer();
                steps.add(recorder -> recorder.copyRegions(src, dst, from, to, sizes));
            }
            prefix += chunkBytes[i];
        }
        d.submit(steps, null, inputs, output);
    }
}
