package io.jmlx.gpu.backend;

import io.jmlx.backend.Backend;
import io.jmlx.backend.BackendDevice;
import io.jmlx.backend.DeviceType;
import io.jmlx.gpu.Gpu;
import io.jmlx.gpu.vulkan.VulkanException;

/**
 * jmlx's GPU backend: the Vulkan device {@link Gpu#shared()} opens (found on first use; {@code -Djmlx.gpu.device}
 * chooses), as GPU 0. Registered in {@code META-INF/services/io.jmlx.backend.Backend}, so that
 * {@code Device.gpu()} exists whenever this module is on the class path and a Vulkan device is found; without one it
 * offers no device and {@link #describe()} says what was searched.
 */
public final class VulkanBackend implements Backend {
    private final Object lock = new Object();
    private GpuDevice device;
    private String failure;

    @Override
    public String name() {
        return "vulkan";
    }

    @Override
    public DeviceType deviceType() {
        return DeviceType.GPU;
    }

    @Override
    public int deviceCount() {
        return open() == null ? 0 : 1;
    }

    @Override
    public String describe() {
        GpuDevice d = open();
        return d == null
                ? "vulkan: " + failure
                : "vulkan: " + d.gpu().physicalDevice().describe();
    }

    @Override
    public BackendDevice device(int index) {
        GpuDevice d = open();
        if (d == null || index != 0) {
            throw new IllegalArgumentException(
                    "the Vulkan backend has " + (d == null ? "no device (" + failure + ")" : "one device, index 0")
                            + "; " + index + " was given");
        }
        return d;
    }

    /** The device, opened on first use, or null when Vulkan is unavailable ({@link #failure} says why). */
    private GpuDevice open() {
        synchronized (lock) {
            if (device == null && failure == null) {
                try {
                    device = new GpuDevice(Gpu.shared());
                } catch (VulkanException e) {
                    failure = e.getMessage();
                }
            }
            return device;
        }
    }
}
