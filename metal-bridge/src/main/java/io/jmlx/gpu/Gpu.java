package io.jmlx.gpu;

import io.jmlx.gpu.vulkan.DeviceChoice;
import io.jmlx.gpu.vulkan.PhysicalDevice;
import io.jmlx.gpu.vulkan.VulkanDevice;
import io.jmlx.gpu.vulkan.VulkanInstance;
import io.jmlx.gpu.vulkan.VulkanLibrary;
import io.jmlx.gpu.vulkan.VulkanUnavailableException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One GPU opened through Vulkan: the device ({@link DeviceChoice} picks it), its {@link GpuMemory}, the
 * {@link GpuQueue} work runs on, and the {@link GpuKernels}. {@link #shared()} is the process-wide instance,
 * opened on first use.
 */
public final class Gpu implements AutoCloseable {
    private static final Object LOCK = new Object();
    private static Gpu shared;
    private static VulkanUnavailableException sharedFailure;

    private final VulkanInstance instance;
    private final VulkanDevice device;
    private final GpuMemory memory;
    private final GpuQueue queue;
    private final Pipelines pipelines;
    private final GpuKernels kernels;
    private final Object submitLock = new Object();
    private final List<GpuQueue> queues = new CopyOnWriteArrayList<>();

    private Gpu(VulkanInstance instance, VulkanDevice device) {
        this.instance = instance;
        this.device = device;
        this.memory = new GpuMemory(device);
        this.queue = new GpuQueue(device, submitLock);
        this.pipelines = new Pipelines(device);
        this.kernels = new GpuKernels(this, queue);
    }

    /**
     * Opens the device chosen by {@code -Djmlx.gpu.device} (or the best one) on the Vulkan library found by
     * {@link VulkanLibrary#load()}.
     *
     * @throws VulkanUnavailableException with one line saying what was searched and found
     */
    public static Gpu open() {
        VulkanInstance instance = VulkanInstance.create(VulkanLibrary.load());
        try {
            PhysicalDevice chosen = DeviceChoice.choose(instance.devices(), System.getProperty(DeviceChoice.PROPERTY));
            return new Gpu(instance, VulkanDevice.create(instance, chosen));
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
    }

    /**
     * The process-wide GPU, opened on first use and closed at exit; a failure to open is remembered and thrown
     * again on every call.
     */
    public static Gpu shared() {
        synchronized (LOCK) {
            if (shared == null && sharedFailure == null) {
                try {
                    shared = open();
                    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(shared::close));
                } catch (VulkanUnavailableException e) {
                    sharedFailure = e;
                }
            }
            if (sharedFailure != null) {
                throw new VulkanUnavailableException(sharedFailure.getMessage());
            }
            return shared;
        }
    }

    /** The physical device in use. */
    public PhysicalDevice physicalDevice() {
        return device.physical();
    }

    public VulkanDevice device() {
        return device;
    }

    public GpuMemory memory() {
        return memory;
    }

    public GpuQueue queue() {
        return queue;
    }

    /** The kernels on the default queue. */
    public GpuKernels kernels() {
        return kernels;
    }

    /**
     * A new queue (with its own command buffers and completion thread) on the device's compute queue, and kernels
     * that record on it: what a stream runs on. Closed with this GPU.
     */
    public GpuKernels newKernels() {
        GpuQueue q = new GpuQueue(device, submitLock);
        queues.add(q);
        return new GpuKernels(this, q);
    }

    Pipelines pipelines() {
        return pipelines;
    }

    /** Waits for the work in flight, then frees everything. */
    @Override
    public void close() {
        queue.close();
        queues.forEach(GpuQueue::close);
        device.waitIdle();
        pipelines.close();
        memory.close();
        device.close();
        instance.close();
    }
}
