package io.jmlx.gpu;

import io.jmlx.backend.ConversionKernels;
import io.jmlx.backend.KernelFamilies;
import io.jmlx.backend.MatmulKernels;
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
 * {@link GpuQueue} work runs on, and the {@link GpuKernels}; streams get every kernel family on queues of their own
 * ({@link #newStreamKernels}). {@link #shared()} is the process-wide instance,
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
        this.kernels = new GpuKernels(new Dispatcher(this, queue, GpuWorkListener.NONE));
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
     * Every kernel family on a new queue (with its own command buffers and completion thread) of the device's compute
     * queue: what a stream runs on; {@code listener} hears of each operation recorded, and the float64 paths take
     * the given CPU kernels. Closed with this GPU.
     */
    public GpuStreamKernels newStreamKernels(
            GpuWorkListener listener, ConversionKernels wideConversions, MatmulKernels wideMatmul) {
        return streamKernels(new Dispatcher(this, newQueue(), listener), wideConversions, wideMatmul);
    }

    /** Every family recording through {@code d}. */
    static GpuStreamKernels streamKernels(Dispatcher d, ConversionKernels wideConversions, MatmulKernels wideMatmul) {
        return new GpuStreamKernels(
                d.queue(),
                new KernelFamilies(
                        new GpuElementwise(d),
                        new GpuConversion(d, wideConversions),
                        new GpuReductions(d),
                        new GpuNorms(d),
                        new GpuRope(d),
                        new GpuGather(d),
                        new GpuCopies(d),
                        new GpuMatmul(d, wideMatmul),
                        new GpuQuantization(new GpuKernels(d))));
    }

    /**
     * Recording on the default queue, split as if one binding covered only {@code maxBindingBytes} and one dispatch
     * dimension only {@code maxGroups} work groups (tests exercise the splitting with small values).
     */
    Dispatcher dispatcher(long maxBindingBytes, int maxGroups, GpuWorkListener listener) {
        return new Dispatcher(this, queue, maxBindingBytes, maxGroups, listener);
    }

    private GpuQueue newQueue() {
        GpuQueue q = new GpuQueue(device, submitLock);
        queues.add(q);
        return q;
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
