package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.backend.GatherKernels;
import io.jmlx.backend.TakeSpec;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.kernels.Elements;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code take} on the GPU ({@code take.comp}): slices copied bit for bit, word by word where slices are whole words.
 * An index out of range fails the op with the CPU kernel's {@link IndexOutOfBoundsException} (the kernel records
 * the first such index position).
 */
final class GpuGather implements GatherKernels {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Dispatcher d;

    GpuGather(Dispatcher dispatcher) {
        this.d = dispatcher;
    }

    @Override
    public void take(TakeSpec spec, MemorySegment a, MemorySegment indices, MemorySegment out) {
        int indexSize = spec.indexType().byteSize();
        long blockBytes = spec.axisSize() * spec.sliceBytes();
        long outBlock = spec.count() * spec.sliceBytes();
        Dispatcher.Operand inA = d.input("a", a, spec.outer() * blockBytes, 1);
        Dispatcher.Operand inIndices = d.input("indices", indices, spec.count() * indexSize, indexSize);
        Dispatcher.Operand output = d.output("out", out, spec.outer() * outBlock);
        MemorySegment status = d.memory().allocateUninitialized(4).fill((byte) 0xFF);
        Dispatcher.Operand statusOperand = d.input("status", status, 4, 4);
        boolean words = spec.sliceBytes() % 4 == 0 && inA.data().address() % 4 == 0;
        ComputePipeline pipeline = d.pipeline(GpuKernel.TAKE, indexCode(spec.indexType()), words ? 1 : 0);
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(inA, inIndices);
        for (Window w : windows(spec)) {
            Dispatcher.Binding ba = d.bind(inA, w.aStart(), w.aBytes(), words ? 4 : 1);
            Dispatcher.Binding bi = d.bind(inIndices, 0, spec.count() * indexSize, indexSize);
            Dispatcher.Binding bo = d.bind(output, w.outStart(), w.outBytes(), 4);
            Dispatcher.Binding bs = d.bind(statusOperand, 0, 4, 4);
            int[] push = {
                (int) w.outBytes(),
                (int) spec.count(),
                spec.axisSize(),
                (int) spec.sliceBytes(),
                ba.baseIndex(),
                bi.baseIndex(),
                bo.baseIndex(),
                w.rowFirst(),
                w.rowCount()
            };
            steps.add(d.dispatchInvocations(
                    pipeline, new Dispatcher.Binding[] {ba, bi, bo, bs}, push, (w.outBytes() + 3) / 4));
        }
        d.submit(
                steps,
                () -> {
                    int first = status.get(ValueLayout.JAVA_INT, 0);
                    if (first != -1) {
                        throw spec.indexOutOfRange(indexAt(indices, spec.indexType(), first), first);
                    }
                },
                List.of(inA, inIndices, statusOperand),
                output);
    }

    /**
     * What one dispatch covers: output bytes from {@code outStart}, and the rows {@code [rowFirst, rowFirst +
     * rowCount)} of each outer block of {@code a} within {@code aBytes} bytes from {@code aStart}.
     */
    private record Window(long aStart, long aBytes, long outStart, long outBytes, int rowFirst, int rowCount) {}

    /**
     * Runs of whole outer blocks while one block fits a binding (output runs starting on words); beyond that, each
     * outer block in windows of rows, every window writing the slices whose rows it holds.
     */
    private List<Window> windows(TakeSpec spec) {
        long blockBytes = spec.axisSize() * spec.sliceBytes();
        long outBlock = spec.count() * spec.sliceBytes();
        long perDispatch = d.maxInvocations() * 4;
        List<Window> windows = new java.util.ArrayList<>();
        if (blockBytes <= d.usableRange()) {
            long chunk = Math.min(d.chunkRows(blockBytes, outBlock), perDispatch / Math.max(1, outBlock));
            if (chunk < spec.outer() && outBlock % 4 != 0) {
                chunk -= chunk % 4;
            }
            if (chunk < 1) {
                throw new IllegalArgumentException("take's output slices are too large to split into dispatches");
            }
            for (long o0 = 0; o0 < spec.outer(); o0 += chunk) {
                long outer = Math.min(chunk, spec.outer() - o0);
                windows.add(new Window(
                        o0 * blockBytes, outer * blockBytes, o0 * outBlock, outer * outBlock, 0, spec.axisSize()));
            }
            return windows;
        }
        long rows = d.usableRange() / Math.max(1, spec.sliceBytes());
        if (rows < 1 || outBlock > Math.min(d.usableRange(), perDispatch) || (spec.outer() > 1 && outBlock % 4 != 0)) {
            throw new IllegalArgumentException("take from an axis of " + spec.axisSize() + " slices of "
                    + spec.sliceBytes() + " bytes (" + blockBytes + " bytes) into " + spec.count() + " slices cannot "
                    + "be split into storage-buffer bindings of " + d.usableRange() + " bytes");
        }
        for (long o = 0; o < spec.outer(); o++) {
            for (long r0 = 0; r0 < spec.axisSize(); r0 += rows) {
                int count = (int) Math.min(rows, spec.axisSize() - r0);
                windows.add(new Window(
                        o * blockBytes + r0 * spec.sliceBytes(),
                        count * spec.sliceBytes(),
                        o * outBlock,
                        outBlock,
                        (int) r0,
                        count));
            }
        }
        return windows;
    }

    /** take.comp's code of an index type. */
    private static int indexCode(DType t) {
        return switch (t) {
            case INT32 -> 0;
            case UINT32 -> 1;
            case INT64, UINT64 -> 2;
            case INT8 -> 3;
            case UINT8 -> 4;
            case INT16 -> 5;
            case UINT16 -> 6;
            default -> throw new IllegalArgumentException("take's indices must be integers, not " + t);
        };
    }

    /** Index {@code i} as the CPU kernel reads it (64-bit ones as signed). */
    private static long indexAt(MemorySegment indices, DType t, long i) {
        return t == DType.INT64 || t == DType.UINT64
                ? indices.getAtIndex(I64, i)
                : (long) Elements.getDouble(indices, t, i);
    }
}
