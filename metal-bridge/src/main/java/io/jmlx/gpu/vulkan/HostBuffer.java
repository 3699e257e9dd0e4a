package io.jmlx.gpu.vulkan;

import java.lang.foreign.MemorySegment;

/**
 * A {@code VkBuffer} with its own host-visible, coherent memory, mapped for its whole life: {@link #mapped()} is
 * the memory the GPU reads and writes, seen from Java. Closing it frees the buffer and the memory (the GPU must
 * no longer use it).
 */
public final class HostBuffer implements AutoCloseable {
    private final VulkanDevice device;
    private final long buffer;
    private final long memory;
    private final MemorySegment mapped;
    private boolean closed;

    HostBuffer(VulkanDevice device, long buffer, long memory, MemorySegment mapped) {
        this.device = device;
        this.buffer = buffer;
        this.memory = memory;
        this.mapped = mapped;
    }

    /** The {@code VkBuffer} handle. */
    public long buffer() {
        return buffer;
    }

    /** The mapped memory, as long as the buffer. */
    public MemorySegment mapped() {
        return mapped;
    }

    /** Size in bytes. */
    public long size() {
        return mapped.byteSize();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            DeviceFunctions f = device.functions();
            f.vkDestroyBuffer(device.handle(), buffer, MemorySegment.NULL);
            f.vkFreeMemory(device.handle(), memory, MemorySegment.NULL);
        }
    }
}
