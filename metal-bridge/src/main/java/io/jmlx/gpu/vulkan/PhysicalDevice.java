package io.jmlx.gpu.vulkan;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;

/**
 * What jmlx needs to know about one Vulkan physical device: identity, the limits its kernels respect, subgroup
 * support, the queue family used for compute and the memory types.
 *
 * @param index                  position in {@code vkEnumeratePhysicalDevices} (what {@code -Djmlx.gpu.device=N} names)
 * @param handle                 the {@code VkPhysicalDevice}
 * @param type                   a {@code VK_PHYSICAL_DEVICE_TYPE_*} value
 * @param maxStorageBufferRange  the largest range one storage-buffer binding may cover, in bytes
 * @param maxWorkGroupCount      the largest dispatch per dimension
 * @param subgroupSize           the default subgroup size of compute shaders (kernels never assume it)
 * @param subgroupOperations     {@code VK_SUBGROUP_FEATURE_*} bits supported in compute shaders (0 when none)
 * @param computeQueueFamily     a queue family with compute support, or -1
 * @param timestampValidBits     valid timestamp bits of that family (0: no timestamps)
 * @param memoryTypes            property flags of each memory type, by index
 * @param memoryTypeHeapSizes    size of the heap of each memory type, by index
 */
public record PhysicalDevice(
        int index,
        MemorySegment handle,
        String name,
        int type,
        int apiVersion,
        int driverVersion,
        int vendorId,
        long maxStorageBufferRange,
        int[] maxWorkGroupCount,
        int maxWorkGroupInvocations,
        int maxSharedMemory,
        long minStorageBufferOffsetAlignment,
        int maxPushConstantsSize,
        float timestampPeriod,
        int subgroupSize,
        int subgroupOperations,
        int computeQueueFamily,
        int timestampValidBits,
        List<Integer> memoryTypes,
        List<Long> memoryTypeHeapSizes,
        Set<String> extensions) {

    /** The type as a word: {@code discrete GPU}, {@code integrated GPU}, {@code virtual GPU}, {@code CPU}, {@code other}. */
    public String typeName() {
        return switch (type) {
            case Vk.PHYSICAL_DEVICE_TYPE_DISCRETE_GPU -> "discrete GPU";
            case Vk.PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU -> "integrated GPU";
            case Vk.PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU -> "virtual GPU";
            case Vk.PHYSICAL_DEVICE_TYPE_CPU -> "CPU";
            default -> "other";
        };
    }

    /** Why jmlx's kernels cannot run here, or null when they can. */
    public String unusableReason() {
        if (Integer.compareUnsigned(apiVersion, Vk.apiVersion(1, 1)) < 0) {
            return "Vulkan " + Vk.versionString(apiVersion) + " < 1.1";
        }
        if (computeQueueFamily < 0) {
            return "no compute queue";
        }
        int needed = Vk.SUBGROUP_FEATURE_BASIC_BIT | Vk.SUBGROUP_FEATURE_ARITHMETIC_BIT;
        if ((subgroupOperations & needed) != needed) {
            return "no subgroup arithmetic in compute shaders";
        }
        if (maxWorkGroupInvocations < 64) {
            return "fewer than 64 invocations per work group";
        }
        return null;
    }

    /** One line for messages: {@code #0 llvmpipe (LLVM 15.0.6, 256 bits) (CPU, Vulkan 1.3.230)}. */
    public String describe() {
        return "#" + index + " " + name + " (" + typeName() + ", Vulkan " + Vk.versionString(apiVersion) + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
