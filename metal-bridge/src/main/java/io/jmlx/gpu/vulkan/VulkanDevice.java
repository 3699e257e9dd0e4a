package io.jmlx.gpu.vulkan;

import static io.jmlx.gpu.vulkan.VkStructs.BUFFER_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.COMMAND_BUFFER_ALLOCATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.COMMAND_POOL_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.DESCRIPTOR_POOL_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.DESCRIPTOR_POOL_SIZE;
import static io.jmlx.gpu.vulkan.VkStructs.DEVICE_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.DEVICE_QUEUE_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.FENCE_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.MEMORY_ALLOCATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.MEMORY_REQUIREMENTS;
import static io.jmlx.gpu.vulkan.VkStructs.QUERY_POOL_CREATE_INFO;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A logical device with one compute queue, its device-level functions, and the calls that create and destroy
 * objects on it (buffers, host-visible memory mapped as {@link MemorySegment}s, command pools, descriptor pools,
 * fences, timestamp query pools). Every {@code VkResult} is checked; a failure names the call.
 */
public final class VulkanDevice implements AutoCloseable {
    private final VulkanInstance instance;
    private final PhysicalDevice physical;
    private final MemorySegment handle;
    private final DeviceFunctions functions;
    private final MemorySegment queue;
    private final int hostMemoryType;
    private boolean closed;

    private VulkanDevice(VulkanInstance instance, PhysicalDevice physical, MemorySegment handle) {
        this.instance = instance;
        this.physical = physical;
        this.handle = handle;
        this.functions = new DeviceFunctions(new FunctionResolver(
                name -> {
                    try (Arena arena = Arena.ofConfined()) {
                        return instance.functions().vkGetDeviceProcAddr(handle, arena.allocateFrom(name));
                    }
                },
                "vkGetDeviceProcAddr of " + physical.name()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            functions.vkGetDeviceQueue(handle, physical.computeQueueFamily(), 0, out);
            this.queue = out.get(ValueLayout.ADDRESS, 0);
        }
        this.hostMemoryType = chooseHostMemoryType(physical);
    }

    /** Creates a logical device with one compute queue on {@code physical}, a device of {@code instance}. */
    public static VulkanDevice create(VulkanInstance instance, PhysicalDevice physical) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment queueInfo = DEVICE_QUEUE_CREATE_INFO.allocate(arena);
            DEVICE_QUEUE_CREATE_INFO.setInt(queueInfo, "sType", Vk.STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
            DEVICE_QUEUE_CREATE_INFO.setInt(queueInfo, "queueFamilyIndex", physical.computeQueueFamily());
            DEVICE_QUEUE_CREATE_INFO.setInt(queueInfo, "queueCount", 1);
            DEVICE_QUEUE_CREATE_INFO.setAddress(
                    queueInfo, "pQueuePriorities", arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f));
            MemorySegment info = DEVICE_CREATE_INFO.allocate(arena);
            DEVICE_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_DEVICE_CREATE_INFO);
            DEVICE_CREATE_INFO.setInt(info, "queueCreateInfoCount", 1);
            DEVICE_CREATE_INFO.setAddress(info, "pQueueCreateInfos", queueInfo);
            List<String> extensions = new ArrayList<>();
            if (physical.extensions().contains(Vk.KHR_PORTABILITY_SUBSET)) {
                extensions.add(Vk.KHR_PORTABILITY_SUBSET); // required when offered (MoltenVK)
            }
            if (!extensions.isEmpty()) {
                MemorySegment names = arena.allocate(ValueLayout.ADDRESS, extensions.size());
                for (int i = 0; i < extensions.size(); i++) {
                    names.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(extensions.get(i)));
                }
                DEVICE_CREATE_INFO.setInt(info, "enabledExtensionCount", extensions.size());
                DEVICE_CREATE_INFO.setAddress(info, "ppEnabledExtensionNames", names);
            }
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            VulkanException.check(
                    instance.functions().vkCreateDevice(physical.handle(), info, MemorySegment.NULL, out),
                    "vkCreateDevice(" + physical.name() + ")");
            return new VulkanDevice(instance, physical, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /**
     * The memory type for buffers the host maps: host-visible and coherent (Vulkan guarantees one), preferring
     * device-local ones on unified-memory devices (whose heap is large), then cached ones for fast host reads.
     */
    static int chooseHostMemoryType(PhysicalDevice physical) {
        int best = -1;
        int bestScore = -1;
        int needed = Vk.MEMORY_PROPERTY_HOST_VISIBLE_BIT | Vk.MEMORY_PROPERTY_HOST_COHERENT_BIT;
        for (int t = 0; t < physical.memoryTypes().size(); t++) {
            int flags = physical.memoryTypes().get(t);
            if ((flags & needed) != needed) {
                continue;
            }
            boolean bigDeviceLocal = (flags & Vk.MEMORY_PROPERTY_DEVICE_LOCAL_BIT) != 0
                    && physical.memoryTypeHeapSizes().get(t) >= (1L << 30);
            int score = (bigDeviceLocal ? 2 : 0) + ((flags & Vk.MEMORY_PROPERTY_HOST_CACHED_BIT) != 0 ? 1 : 0);
            if (score > bestScore) {
                best = t;
                bestScore = score;
            }
        }
        if (best < 0) {
            throw new VulkanUnavailableException(physical.describe() + " has no host-visible coherent memory");
        }
        return best;
    }

    public PhysicalDevice physical() {
        return physical;
    }

    public VulkanInstance instance() {
        return instance;
    }

    public MemorySegment handle() {
        return handle;
    }

    public DeviceFunctions functions() {
        return functions;
    }

    /** The compute queue. */
    public MemorySegment queue() {
        return queue;
    }

    /** A buffer usable as storage buffer and copy source/target, bound to its own new host-visible memory. */
    public HostBuffer createHostBuffer(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("a buffer needs a positive size, not " + size);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = BUFFER_CREATE_INFO.allocate(arena);
            BUFFER_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_BUFFER_CREATE_INFO);
            BUFFER_CREATE_INFO.setLong(info, "size", size);
            BUFFER_CREATE_INFO.setInt(
                    info,
                    "usage",
                    Vk.BUFFER_USAGE_STORAGE_BUFFER_BIT
                            | Vk.BUFFER_USAGE_TRANSFER_SRC_BIT
                            | Vk.BUFFER_USAGE_TRANSFER_DST_BIT);
            BUFFER_CREATE_INFO.setInt(info, "sharingMode", Vk.SHARING_MODE_EXCLUSIVE);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            VulkanException.check(functions.vkCreateBuffer(handle, info, MemorySegment.NULL, out), "vkCreateBuffer");
            long buffer = out.get(ValueLayout.JAVA_LONG, 0);
            long memory = 0;
            try {
                MemorySegment req = MEMORY_REQUIREMENTS.allocate(arena);
                functions.vkGetBufferMemoryRequirements(handle, buffer, req);
                int typeBits = MEMORY_REQUIREMENTS.getInt(req, "memoryTypeBits");
                if ((typeBits & (1 << hostMemoryType)) == 0) {
                    throw new VulkanException("storage buffers cannot use host-visible memory type " + hostMemoryType
                            + " on " + physical.name());
                }
                MemorySegment alloc = MEMORY_ALLOCATE_INFO.allocate(arena);
                MEMORY_ALLOCATE_INFO.setInt(alloc, "sType", Vk.STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
                MEMORY_ALLOCATE_INFO.setLong(alloc, "allocationSize", MEMORY_REQUIREMENTS.getLong(req, "size"));
                MEMORY_ALLOCATE_INFO.setInt(alloc, "memoryTypeIndex", hostMemoryType);
                VulkanException.check(
                        functions.vkAllocateMemory(handle, alloc, MemorySegment.NULL, out),
                        "vkAllocateMemory(" + size + " bytes)");
                memory = out.get(ValueLayout.JAVA_LONG, 0);
                VulkanException.check(functions.vkBindBufferMemory(handle, buffer, memory, 0), "vkBindBufferMemory");
                MemorySegment mapped = arena.allocate(ValueLayout.ADDRESS);
                VulkanException.check(functions.vkMapMemory(handle, memory, 0, size, 0, mapped), "vkMapMemory");
                return new HostBuffer(
                        this, buffer, memory, mapped.get(ValueLayout.ADDRESS, 0).reinterpret(size));
            } catch (RuntimeException e) {
                if (memory != 0) {
                    functions.vkFreeMemory(handle, memory, MemorySegment.NULL);
                }
                functions.vkDestroyBuffer(handle, buffer, MemorySegment.NULL);
                throw e;
            }
        }
    }

    /** A command pool whose buffers can be reset one by one. */
    public long createCommandPool() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = COMMAND_POOL_CREATE_INFO.allocate(arena);
            COMMAND_POOL_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
            COMMAND_POOL_CREATE_INFO.setInt(info, "flags", Vk.COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT);
            COMMAND_POOL_CREATE_INFO.setInt(info, "queueFamilyIndex", physical.computeQueueFamily());
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            VulkanException.check(
                    functions.vkCreateCommandPool(handle, info, MemorySegment.NULL, out), "vkCreateCommandPool");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** One primary command buffer from {@code pool}. */
    public MemorySegment allocateCommandBuffer(long pool) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = COMMAND_BUFFER_ALLOCATE_INFO.allocate(arena);
            COMMAND_BUFFER_ALLOCATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
            COMMAND_BUFFER_ALLOCATE_INFO.setLong(info, "commandPool", pool);
            COMMAND_BUFFER_ALLOCATE_INFO.setInt(info, "level", Vk.COMMAND_BUFFER_LEVEL_PRIMARY);
            COMMAND_BUFFER_ALLOCATE_INFO.setInt(info, "commandBufferCount", 1);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            VulkanException.check(functions.vkAllocateCommandBuffers(handle, info, out), "vkAllocateCommandBuffers");
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    /** A descriptor pool for {@code maxSets} sets of storage buffers, {@code descriptors} descriptors in all. */
    public long createDescriptorPool(int maxSets, int descriptors) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = DESCRIPTOR_POOL_SIZE.allocate(arena);
            DESCRIPTOR_POOL_SIZE.setInt(size, "type", Vk.DESCRIPTOR_TYPE_STORAGE_BUFFER);
            DESCRIPTOR_POOL_SIZE.setInt(size, "descriptorCount", descriptors);
            MemorySegment info = DESCRIPTOR_POOL_CREATE_INFO.allocate(arena);
            DESCRIPTOR_POOL_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
            DESCRIPTOR_POOL_CREATE_INFO.setInt(info, "maxSets", maxSets);
            DESCRIPTOR_POOL_CREATE_INFO.setInt(info, "poolSizeCount", 1);
            DESCRIPTOR_POOL_CREATE_INFO.setAddress(info, "pPoolSizes", size);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            VulkanException.check(
                    functions.vkCreateDescriptorPool(handle, info, MemorySegment.NULL, out), "vkCreateDescriptorPool");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** An unsignalled fence. */
    public long createFence() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = FENCE_CREATE_INFO.allocate(arena);
            FENCE_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_FENCE_CREATE_INFO);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            VulkanException.check(functions.vkCreateFence(handle, info, MemorySegment.NULL, out), "vkCreateFence");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** A pool of {@code count} timestamp queries. */
    public long createTimestampPool(int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = QUERY_POOL_CREATE_INFO.allocate(arena);
            QUERY_POOL_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO);
            QUERY_POOL_CREATE_INFO.setInt(info, "queryType", Vk.QUERY_TYPE_TIMESTAMP);
            QUERY_POOL_CREATE_INFO.setInt(info, "queryCount", count);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            VulkanException.check(
                    functions.vkCreateQueryPool(handle, info, MemorySegment.NULL, out), "vkCreateQueryPool");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Timestamps {@code first .. first+count-1} of {@code pool} in ticks (waits until they are available). */
    public long[] timestamps(long pool, int first, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(ValueLayout.JAVA_LONG, count);
            VulkanException.check(
                    functions.vkGetQueryPoolResults(
                            handle,
                            pool,
                            first,
                            count,
                            data.byteSize(),
                            data,
                            8,
                            Vk.QUERY_RESULT_64_BIT | Vk.QUERY_RESULT_WAIT_BIT),
                    "vkGetQueryPoolResults");
            return data.toArray(ValueLayout.JAVA_LONG);
        }
    }

    /**
     * Blocks the calling thread until {@code fence} signals or {@code timeoutNanos} pass: true when signalled.
     * The driver blocks the thread; nothing spins in Java.
     */
    public boolean waitForFence(long fence, long timeoutNanos) {
        try (Arena arena = Arena.ofConfined()) {
            int result = VulkanException.check(
                    functions.vkWaitForFences(
                            handle, 1, arena.allocateFrom(ValueLayout.JAVA_LONG, fence), 1, timeoutNanos),
                    "vkWaitForFences");
            return result == Vk.SUCCESS;
        }
    }

    /** Unsignals {@code fence}. */
    public void resetFence(long fence) {
        try (Arena arena = Arena.ofConfined()) {
            VulkanException.check(
                    functions.vkResetFences(handle, 1, arena.allocateFrom(ValueLayout.JAVA_LONG, fence)),
                    "vkResetFences");
        }
    }

    /** Waits until the device is idle. */
    public void waitIdle() {
        VulkanException.check(functions.vkDeviceWaitIdle(handle), "vkDeviceWaitIdle");
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            functions.vkDeviceWaitIdle(handle);
            functions.vkDestroyDevice(handle, MemorySegment.NULL);
        }
    }
}
