package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.gpu.vulkan.PhysicalDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * What every GPU kernel family shares: turning segments into operands the kernels can bind, storage-buffer bindings
 * within the device's range, dispatches within its work-group limits, and recording an operation on the
 * {@link GpuQueue} (reported to a {@link GpuWorkListener}).
 *
 * <p>Segments allocated by {@link GpuMemory} are bound in place. Memory-mapped read-only segments (checkpoint
 * weights) are uploaded once and found again in {@link GpuMemory}'s upload cache; other memory is copied in for
 * each use (inputs) or out after the work (outputs).
 */
final class Dispatcher {
    /** Invocations per work group of the one-dimensional kernels. */
    static final int INVOCATIONS = 64;
    /** Work groups per dispatch dimension that every Vulkan device supports. */
    static final int MAX_GROUPS = 65535;

    private final GpuMemory memory;
    private final GpuQueue queue;
    private final Pipelines pipelines;
    private final PhysicalDevice device;
    private final GpuWorkListener listener;
    private final long alignment;
    private final long usableRange;
    private final int maxGroups;

    /**
     * Work on {@code queue} that splits itself as if one binding could cover only {@code maxBindingBytes} and one
     * dispatch dimension only {@code maxGroups} work groups (tests use small values to exercise the splitting).
     */
    Dispatcher(Gpu gpu, GpuQueue queue, long maxBindingBytes, int maxGroups, GpuWorkListener listener) {
        this.memory = gpu.memory();
        this.queue = queue;
        this.pipelines = gpu.pipelines();
        this.device = gpu.physicalDevice();
        this.listener = listener;
        this.alignment = Math.max(4, device.minStorageBufferOffsetAlignment());
        this.usableRange = Math.min(maxBindingBytes, device.maxStorageBufferRange()) - alignment - 4;
        this.maxGroups = Math.min(maxGroups, MAX_GROUPS);
    }

    /** Work on {@code queue} within the device's own limits. */
    Dispatcher(Gpu gpu, GpuQueue queue, GpuWorkListener listener) {
        this(gpu, queue, gpu.physicalDevice().maxStorageBufferRange(), MAX_GROUPS, listener);
    }

    GpuQueue queue() {
        return queue;
    }

    GpuMemory memory() {
        return memory;
    }

    PhysicalDevice device() {
        return device;
    }

    /** Bytes one binding may cover, allowing for the alignment of its start. */
    long usableRange() {
        return usableRange;
    }

    int maxGroups() {
        return maxGroups;
    }

    ComputePipeline pipeline(GpuKernel kernel, int... constants) {
        return pipelines.get(kernel, constants);
    }

    // ---------------------------------------------------------------- operands

    /** A storage-buffer binding: buffer, aligned offset and range, and the element index the operand starts at. */
    record Binding(long buffer, long offset, long range, long base) {
        int baseIndex() {
            return Math.toIntExact(base);
        }
    }

    /**
     * A segment as the kernels see it: the caller's, or a copy in GPU memory ({@code staged}: an output the host
     * copies out after the work; {@code gpuCopy}: copied in or out on the GPU, in order with the work around it, for
     * GPU memory at an offset a binding cannot start at).
     */
    record Operand(
            String name,
            MemorySegment user,
            MemorySegment data,
            GpuMemory.Location location,
            boolean staged,
            Consumer<CommandRecorder> gpuCopy) {}

    /**
     * An input of {@code bytes} bytes of elements of {@code elementSize} bytes. GPU memory is bound in place, or,
     * at an offset a binding cannot express, copied on the GPU (its contents may still be being computed by work
     * recorded earlier on the queue); memory-mapped read-only memory through the upload cache; other memory is
     * copied in by the host now.
     */
    Operand input(String name, MemorySegment segment, long bytes, int elementSize) {
        requireSize(name, segment, bytes);
        Optional<GpuMemory.Location> where = memory.locate(segment);
        if (where.isPresent() && segment.address() % elementSize == 0) {
            return new Operand(name, segment, segment, where.get(), false, null);
        }
        if (where.isPresent()) {
            MemorySegment copy = memory.allocateUninitialized(bytes);
            GpuMemory.Location from = where.get();
            GpuMemory.Location to = memory.locate(copy).orElseThrow();
            return new Operand(
                    name,
                    segment,
                    copy,
                    to,
                    false,
                    bytes == 0
                            ? null
                            : recorder -> recorder.copy(from.buffer(), from.offset(), to.buffer(), to.offset(), bytes));
        }
        MemorySegment used = segment.asSlice(0, bytes);
        MemorySegment copy = GpuMemory.isUploadCacheable(used) ? memory.uploadCached(used) : memory.stage(used);
        return new Operand(name, segment, copy, memory.locate(copy).orElseThrow(), false, null);
    }

    /**
     * An output: GPU memory at a 4-byte boundary is written in place; other GPU memory through a copy made on the
     * GPU right after the work (later work on the queue may read it); other memory through a copy the host makes
     * when the work has completed.
     */
    Operand output(String name, MemorySegment segment, long bytes) {
        requireSize(name, segment, bytes);
        Optional<GpuMemory.Location> where = memory.locate(segment);
        if (where.isPresent() && segment.address() % 4 == 0) {
            return new Operand(name, segment, segment, where.get(), false, null);
        }
        MemorySegment temp = memory.allocateUninitialized(bytes);
        GpuMemory.Location from = memory.locate(temp).orElseThrow();
        if (where.isPresent()) {
            GpuMemory.Location to = where.get();
            return new Operand(
                    name,
                    segment,
                    temp,
                    from,
                    false,
                    bytes == 0
                            ? null
                            : recorder -> recorder.copy(from.buffer(), from.offset(), to.buffer(), to.offset(), bytes));
        }
        return new Operand(name, segment, temp, from, true, null);
    }

    /** A new list of an operation's steps, starting with the GPU copies its inputs need. */
    static List<Consumer<CommandRecorder>> copiesIn(Operand... inputs) {
        List<Consumer<CommandRecorder>> steps = new ArrayList<>();
        for (Operand o : inputs) {
            if (o.gpuCopy() != null && !steps.contains(o.gpuCopy())) {
                steps.add(o.gpuCopy());
            }
        }
        return steps;
    }

    private static void requireSize(String name, MemorySegment segment, long bytes) {
        if (segment == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException(
                    name + " holds " + segment.byteSize() + " bytes but " + bytes + " are needed");
        }
    }

    // ---------------------------------------------------------------- recording

    /**
     * Records an operation: its steps, then the GPU copies of its outputs; once executed, {@code check} (may be
     * null) and the host copies of outputs outside GPU memory. The operands stay reachable until then. The listener
     * hears of the work with the caller's segments.
     */
    CompletableFuture<Void> submit(
            List<Consumer<CommandRecorder>> steps,
            GpuQueue.Completion check,
            List<Operand> inputs,
            Operand... outputs) {
        for (Operand o : outputs) {
            if (o.gpuCopy() != null) {
                steps.add(o.gpuCopy());
            }
        }
        CompletableFuture<Void> work = queue.record(
                steps,
                () -> {
                    if (check != null) {
                        check.run();
                    }
                    for (Operand o : outputs) {
                        if (o.staged()) {
                            o.user()
                                    .copyFrom(o.data()
                                            .asSlice(
                                                    0,
                                                    Math.min(
                                                            o.data().byteSize(),
                                                            o.user().byteSize())));
                        }
                    }
                },
                List.of(inputs, List.of(outputs)));
        listener.recorded(
                work,
                inputs.stream().map(Operand::user).toList(),
                java.util.Arrays.stream(outputs).map(Operand::user).toList());
        return work;
    }

    /**
     * A binding of {@code byteLength} bytes of {@code o} from byte {@code byteStart}: its offset aligned down to the
     * device's requirement, the element index of the start within it, its range rounded up to whole words.
     */
    Binding bind(Operand o, long byteStart, long byteLength, int elementSize) {
        long start = o.location().offset() + byteStart;
        long aligned = start - Math.floorMod(start, alignment);
        long limit = o.location().offset() + o.location().available();
        long end = Math.min((start + Math.max(byteLength, 1) + 3) / 4 * 4, limit);
        if (end - aligned > device.maxStorageBufferRange()) {
            throw new IllegalStateException("binding of " + o.name() + " covers " + (end - aligned)
                    + " bytes, more than maxStorageBufferRange " + device.maxStorageBufferRange());
        }
        return new Binding(o.location().buffer(), aligned, end - aligned, (start - aligned) / elementSize);
    }

    /** Rows per dispatch so that no operand's rows exceed the storage-buffer range. */
    long chunkRows(long... bytesPerRow) {
        long rows = Long.MAX_VALUE;
        for (long b : bytesPerRow) {
            if (b > usableRange) {
                throw new IllegalArgumentException("one row needs " + b + " bytes, more than one storage-buffer binding"
                        + " may cover (" + usableRange + " bytes usable of " + device.name()
                        + "'s maxStorageBufferRange " + device.maxStorageBufferRange() + ")");
            }
            rows = Math.min(rows, usableRange / Math.max(b, 1));
        }
        return rows;
    }

    /** Invocations one dispatch of 64-wide work groups may have (spread over x and y). */
    long maxInvocations() {
        return (long) INVOCATIONS * maxGroups * maxGroups;
    }

    /**
     * Elements of {@code elementBytes} bytes one dispatch of a kernel writing one output word per invocation may
     * cover: a binding's worth, and no more invocations than one dispatch may have.
     */
    long elementsPerDispatch(int elementBytes) {
        return Math.min(usableRange / elementBytes, maxInvocations() * Math.max(1, 4 / elementBytes));
    }

    /** Work groups one dispatch may have (spread over x and y). */
    long maxWorkGroups() {
        return (long) maxGroups * maxGroups;
    }

    /** A dispatch of {@code workGroups} linearly numbered work groups (spread over x and y), z = {@code depth}. */
    Consumer<CommandRecorder> dispatch(
            ComputePipeline pipeline, Binding[] bindings, int[] push, long workGroups, int depth) {
        return recorder -> {
            long x = Math.max(1, Math.min(workGroups, maxGroups));
            long y = Math.max(1, (workGroups + x - 1) / x);
            record(recorder, pipeline, bindings, push, (int) x, (int) y, depth);
        };
    }

    /** A dispatch of {@code invocations} one-dimensional invocations in work groups of {@link #INVOCATIONS}. */
    Consumer<CommandRecorder> dispatchInvocations(
            ComputePipeline pipeline, Binding[] bindings, int[] push, long invocations) {
        return dispatch(pipeline, bindings, push, (invocations + INVOCATIONS - 1) / INVOCATIONS, 1);
    }

    static void record(
            CommandRecorder recorder, ComputePipeline pipeline, Binding[] bindings, int[] push, int x, int y, int z) {
        long[] buffers = new long[bindings.length];
        long[] offsets = new long[bindings.length];
        long[] ranges = new long[bindings.length];
        for (int i = 0; i < bindings.length; i++) {
            buffers[i] = bindings[i].buffer();
            offsets[i] = bindings[i].offset();
            ranges[i] = bindings[i].range();
        }
        try (Arena arena = Arena.ofConfined()) {
            recorder.dispatch(
                    pipeline, buffers, offsets, ranges, arena.allocateFrom(ValueLayout.JAVA_INT, push), x, y, z);
        }
    }

    // ---------------------------------------------------------------- types

    /** The kernels' code of a float type ({@code DT_*} in elements.glsl). */
    static int typeCode(DType t) {
        return switch (t) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case BFLOAT16 -> 2;
            default ->
                throw new IllegalArgumentException("the GPU kernels take float32, float16 or bfloat16, not " + t);
        };
    }

    static void checkFloat(DType t, String what) {
        if (t != DType.FLOAT32 && t != DType.FLOAT16 && t != DType.BFLOAT16) {
            throw new IllegalArgumentException(what + " must be float32, float16 or bfloat16 but is " + t);
        }
    }

    /** Submits and waits; the failure of the work is rethrown as it was raised (e.g. the CPU's exceptions). */
    void await(CompletableFuture<Void> future) {
        queue.flush();
        try {
            future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
