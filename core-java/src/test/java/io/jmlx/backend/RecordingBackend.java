package io.jmlx.backend;

import io.jmlx.kernels.CpuBackend;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test backend offering one GPU-type device, {@code recording}, found with {@link java.util.ServiceLoader} in the
 * {@code recording-backend} test run only. Its kernels are the CPU's, behind proxies that record every call as
 * {@code Family.method} (and fail on demand); its memory counts what it allocates; its streams complete their work
 * asynchronously, a moment later on another thread, as a GPU's fences do.
 */
public final class RecordingBackend implements Backend {
    /** Every kernel call on this backend's streams, as {@code ElementwiseKernels.unary}, in order. */
    public static final List<String> CALLS = Collections.synchronizedList(new ArrayList<>());

    /** Bytes allocated from this backend's memory. */
    public static final AtomicLong ALLOCATED = new AtomicLong();

    /** A kernel call ({@code Family.method}) that throws instead of computing, or {@code null}. */
    public static volatile String failing;

    private static final BackendDevice DEVICE = new Device();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public DeviceType deviceType() {
        return DeviceType.GPU;
    }

    @Override
    public int deviceCount() {
        return 1;
    }

    @Override
    public String describe() {
        return "recording: the CPU's kernels, recorded";
    }

    @Override
    public BackendDevice device(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("the recording backend has one device");
        }
        return DEVICE;
    }

    private static final class Device implements BackendDevice, Memory {
        private final Kernels kernels =
                recorded(new CpuBackend().device(0).newStream("cpu-kernels").kernels());

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public BackendStream newStream(String name) {
            Executor executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            return new Stream(executor, kernels, this);
        }

        @Override
        public MemorySegment allocate(long bytes) {
            ALLOCATED.addAndGet(bytes);
            return java.lang.foreign.Arena.ofAuto().allocate(bytes, 64);
        }
    }

    /** Completes a moment after the op's kernels were called, on another thread. */
    private record Stream(Executor executor, Kernels kernels, Memory memory) implements BackendStream {
        @Override
        public CompletionStage<Void> completion() {
            return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
        }
    }

    private static Kernels recorded(Kernels cpu) {
        return new KernelFamilies(
                record(ElementwiseKernels.class, cpu.elementwise()),
                record(ConversionKernels.class, cpu.conversion()),
                record(ReductionKernels.class, cpu.reductions()),
                record(NormKernels.class, cpu.norms()),
                record(RopeKernels.class, cpu.rope()),
                record(GatherKernels.class, cpu.gather()),
                record(CopyKernels.class, cpu.copies()),
                record(MatmulKernels.class, cpu.matmul()),
                record(QuantizationKernels.class, cpu.quantization()));
    }

    private static <T> T record(Class<T> family, T target) {
        Object proxy = Proxy.newProxyInstance(family.getClassLoader(), new Class<?>[] {family}, (p, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(target, args);
            }
            String call = family.getSimpleName() + "." + method.getName();
            CALLS.add(call);
            if (call.equals(failing)) {
                throw new IllegalStateException("injected failure in " + call);
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return family.cast(proxy);
    }
}
