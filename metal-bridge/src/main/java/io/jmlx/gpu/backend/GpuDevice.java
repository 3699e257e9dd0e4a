package io.jmlx.gpu.backend;

import io.jmlx.backend.Backend;
import io.jmlx.backend.BackendDevice;
import io.jmlx.backend.BackendStream;
import io.jmlx.backend.DeviceType;
import io.jmlx.backend.Kernels;
import io.jmlx.backend.Memory;
import io.jmlx.gpu.Gpu;
import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;

/**
 * The GPU as a backend device: op outputs live in its host-visible {@link io.jmlx.gpu.GpuMemory} (the CPU reads
 * them in place), and each stream records on its own {@link io.jmlx.gpu.GpuQueue}.
 */
final class GpuDevice implements BackendDevice, Memory {
    private final Gpu gpu;
    private final Kernels cpu;

    GpuDevice(Gpu gpu) {
        this.gpu = gpu;
        this.cpu = cpuKernels();
    }

    Gpu gpu() {
        return gpu;
    }

    @Override
    public String name() {
        return gpu.physicalDevice().name();
    }

    @Override
    public BackendStream newStream(String name) {
        return new GpuStream(name, gpu, cpu, this);
    }

    @Override
    public MemorySegment allocate(long bytes) {
        return gpu.memory().allocateUninitialized(bytes);
    }

    /** The CPU backend's kernels, for the float64 paths. */
    private static Kernels cpuKernels() {
        for (Backend b : ServiceLoader.load(Backend.class, GpuDevice.class.getClassLoader())) {
            if (b.deviceType() == DeviceType.CPU && b.deviceCount() > 0) {
                return b.device(0).newStream("jmlx-gpu-cpu-fallback").kernels();
            }
        }
        throw new IllegalStateException("no CPU backend found beside the Vulkan backend");
    }
}
