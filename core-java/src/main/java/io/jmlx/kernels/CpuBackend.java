package io.jmlx.kernels;

import io.jmlx.backend.Backend;
import io.jmlx.backend.BackendDevice;
import io.jmlx.backend.BackendStream;
import io.jmlx.backend.DeviceType;
import io.jmlx.backend.KernelFamilies;
import io.jmlx.backend.Kernels;
import io.jmlx.backend.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The built-in CPU backend: one device whose streams each run their ops on a thread of their own, computing inside
 * the kernel calls (the Vector API or scalar kernels {@link KernelProvider} chose, split over {@link KernelThreads}),
 * on native memory from automatic arenas.
 */
public final class CpuBackend implements Backend {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Device device = new Device(kernels(KernelProvider.get()));

    /**
     * Every kernel family on the CPU: the quantization and matmul kernels {@link KernelProvider} chose (Vector API or
     * scalar), and one plain implementation of each other family. Stateless, so one set serves every stream.
     */
    private static Kernels kernels(KernelSet chosen) {
        return new KernelFamilies(
                new CpuElementwise(),
                new CpuConversion(),
                new CpuReductions(),
                new CpuNorms(),
                new CpuRope(),
                new CpuGather(),
                new CpuCopies(),
                chosen,
                chosen);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public DeviceType deviceType() {
        return DeviceType.CPU;
    }

    @Override
    public int deviceCount() {
        return 1;
    }

    @Override
    public String describe() {
        return "cpu: " + KernelProvider.get().name() + " kernels on " + KernelThreads.count() + " threads";
    }

    @Override
    public BackendDevice device(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("there is one CPU device, index 0; " + index + " was given");
        }
        return device;
    }

    /** The CPU device: its streams share the kernels and the memory. */
    private record Device(Kernels kernels) implements BackendDevice, Memory {
        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public BackendStream newStream(String name) {
            ThreadPoolExecutor executor =
                    new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, name);
                        t.setDaemon(true);
                        return t;
                    });
            executor.allowCoreThreadTimeOut(true);
            return new Stream(executor, kernels, this);
        }

        @Override
        public MemorySegment allocate(long bytes) {
            return Arena.ofAuto().allocate(bytes, 64);
        }
    }

    /** A CPU stream: one thread running the ops in order, each computed by the time its kernel calls return. */
    private record Stream(Executor executor, Kernels kernels, Memory memory) implements BackendStream {
        @Override
        public CompletionStage<Void> completion() {
            return DONE;
        }
    }
}
