package io.jmlx.gpu.backend;

import io.jmlx.backend.BackendStream;
import io.jmlx.backend.ConversionKernels;
import io.jmlx.backend.Kernels;
import io.jmlx.backend.MatmulKernels;
import io.jmlx.backend.Memory;
import io.jmlx.gpu.Gpu;
import io.jmlx.gpu.GpuStreamKernels;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stream on the GPU. Ops run one at a time on the stream's thread: their kernels (every family, from
 * {@link Gpu#newStreamKernels}) record their work on the stream's queue and return at once; the queue is submitted when the thread runs
 * out of queued ops (so consecutive ops share command buffers), and each op completes from the fences of its work.
 * The float64 paths run the CPU's kernels on the same memory after the GPU has finished what was recorded before
 * them.
 *
 * <p>Failures: a kernel that fails on the GPU fails its op; an op whose inputs came from a failed op on this stream
 * (recorded before the failure was known) fails with the same cause.
 */
final class GpuStream implements BackendStream {
    private final GpuStreamKernels kernels;
    private final Memory memory;
    private final ThreadPoolExecutor thread;
    private final AtomicInteger queued = new AtomicInteger();
    private final Executor executor = this::execute;

    // The current op's work (stream thread only).
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    private final List<MemorySegment> inputs = new ArrayList<>();
    private final List<MemorySegment> outputs = new ArrayList<>();
    /** Everything recorded so far, failures ignored: what the CPU fallbacks wait for. */
    private CompletableFuture<Void> recorded = CompletableFuture.completedFuture(null);
    /** Outputs of failed ops, with the failure, while they are reachable. */
    private final Map<MemorySegment, Throwable> failed = Collections.synchronizedMap(new WeakHashMap<>());

    GpuStream(String name, Gpu gpu, Kernels cpu, Memory memory) {
        this.memory = memory;
        this.thread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        thread.allowCoreThreadTimeOut(true);
        this.kernels = gpu.newStreamKernels(
                this::track,
                onCpu(ConversionKernels.class, cpu.conversion()),
                onCpu(MatmulKernels.class, cpu.matmul()));
    }

    /** Runs tasks in order; when the last queued one has run, submits what they recorded. */
    private void execute(Runnable task) {
        queued.incrementAndGet();
        thread.execute(() -> {
            try {
                task.run();
            } finally {
                if (queued.decrementAndGet() == 0) {
                    kernels.queue().flush();
                }
            }
        });
    }

    /** Notes GPU work of the current op: its future and the segments it reads and writes. */
    private void track(CompletableFuture<Void> work, List<MemorySegment> reads, List<MemorySegment> writes) {
        pending.add(work);
        inputs.addAll(reads);
        outputs.addAll(writes);
        recorded = CompletableFuture.allOf(recorded, work.exceptionally(e -> null));
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public Kernels kernels() {
        return kernels.kernels();
    }

    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public CompletionStage<Void> completion() {
        CompletableFuture<Void> work = CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
        List<MemorySegment> reads = List.copyOf(inputs);
        List<MemorySegment> writes = List.copyOf(outputs);
        pending.clear();
        inputs.clear();
        outputs.clear();
        return work.handle((ignored, error) -> {
            Throwable cause = error != null ? unwrap(error) : null;
            for (int i = 0; cause == null && i < reads.size(); i++) {
                cause = failed.get(reads.get(i));
            }
            if (cause == null) {
                return null;
            }
            for (MemorySegment w : writes) {
                failed.put(w, cause);
            }
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /**
     * CPU kernels whose calls run once the GPU has finished everything recorded on this stream (their inputs may be
     * results of recorded GPU work). Their segments count as read and written by the current op.
     */
    private <T> T onCpu(Class<T> family, T cpu) {
        return family.cast(Proxy.newProxyInstance(
                family.getClassLoader(), new Class<?>[] {family}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(cpu, args);
                    }
                    kernels.queue().flush();
                    recorded.join();
                    for (Object a : args == null ? new Object[0] : args) {
                        if (a instanceof MemorySegment s) {
                            inputs.add(s);
                            outputs.add(s);
                        }
                    }
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }
}
