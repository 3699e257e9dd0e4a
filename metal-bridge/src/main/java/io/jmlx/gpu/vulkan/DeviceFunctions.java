package io.jmlx.gpu.vulkan;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The device-level Vulkan functions jmlx calls, resolved through {@code vkGetDeviceProcAddr} (so that calls skip
 * the loader's dispatch); every one must exist, else construction fails naming the missing function.
 */
public final class DeviceFunctions {
    private final MethodHandle vkDestroyDevice;
    private final MethodHandle vkGetDeviceQueue;
    private final MethodHandle vkDeviceWaitIdle;
    private final MethodHandle vkCreateBuffer;
    private final MethodHandle vkDestroyBuffer;
    private final MethodHandle vkGetBufferMemoryRequirements;
    private final MethodHandle vkAllocateMemory;
    private final MethodHandle vkFreeMemory;
    private final MethodHandle vkBindBufferMemory;
    private final MethodHandle vkMapMemory;
    private final MethodHandle vkUnmapMemory;
    private final MethodHandle vkCreateShaderModule;
    private final MethodHandle vkDestroyShaderModule;
    private final MethodHandle vkCreateDescriptorSetLayout;
    private final MethodHandle vkDestroyDescriptorSetLayout;
    private final MethodHandle vkCreatePipelineLayout;
    private final MethodHandle vkDestroyPipelineLayout;
    private final MethodHandle vkCreateComputePipelines;
    private final MethodHandle vkDestroyPipeline;
    private final MethodHandle vkCreateDescriptorPool;
    private final MethodHandle vkDestroyDescriptorPool;
    private final MethodHandle vkResetDescriptorPool;
    private final MethodHandle vkAllocateDescriptorSets;
    private final MethodHandle vkUpdateDescriptorSets;
    private final MethodHandle vkCreateCommandPool;
    private final MethodHandle vkDestroyCommandPool;
    private final MethodHandle vkAllocateCommandBuffers;
    private final MethodHandle vkResetCommandBuffer;
    private final MethodHandle vkBeginCommandBuffer;
    private final MethodHandle vkEndCommandBuffer;
    private final MethodHandle vkCmdBindPipeline;
    private final MethodHandle vkCmdBindDescriptorSets;
    private final MethodHandle vkCmdPushConstants;
    private final MethodHandle vkCmdDispatch;
    private final MethodHandle vkCmdPipelineBarrier;
    private final MethodHandle vkCmdCopyBuffer;
    private final MethodHandle vkCmdResetQueryPool;
    private final MethodHandle vkCmdWriteTimestamp;
    private final MethodHandle vkCreateQueryPool;
    private final MethodHandle vkDestroyQueryPool;
    private final MethodHandle vkGetQueryPoolResults;
    private final MethodHandle vkCreateFence;
    private final MethodHandle vkDestroyFence;
    private final MethodHandle vkResetFences;
    private final MethodHandle vkWaitForFences;
    private final MethodHandle vkQueueSubmit;
    private final MethodHandle vkQueueWaitIdle;

    DeviceFunctions(FunctionResolver resolver) {
        vkDestroyDevice = resolver.resolve("vkDestroyDevice", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        vkGetDeviceQueue =
                resolver.resolve("vkGetDeviceQueue", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        vkDeviceWaitIdle = resolver.resolve("vkDeviceWaitIdle", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vkCreateBuffer =
                resolver.resolve("vkCreateBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyBuffer = resolver.resolve("vkDestroyBuffer", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkGetBufferMemoryRequirements = resolver.resolve(
                "vkGetBufferMemoryRequirements", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkAllocateMemory = resolver.resolve(
                "vkAllocateMemory", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkFreeMemory = resolver.resolve("vkFreeMemory", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkBindBufferMemory = resolver.resolve(
                "vkBindBufferMemory", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        vkMapMemory = resolver.resolve(
                "vkMapMemory",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS));
        vkUnmapMemory = resolver.resolve("vkUnmapMemory", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
        vkCreateShaderModule = resolver.resolve(
                "vkCreateShaderModule", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyShaderModule =
                resolver.resolve("vkDestroyShaderModule", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkCreateDescriptorSetLayout = resolver.resolve(
                "vkCreateDescriptorSetLayout", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyDescriptorSetLayout = resolver.resolve(
                "vkDestroyDescriptorSetLayout", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkCreatePipelineLayout = resolver.resolve(
                "vkCreatePipelineLayout", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyPipelineLayout =
                resolver.resolve("vkDestroyPipelineLayout", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkCreateComputePipelines = resolver.resolve(
                "vkCreateComputePipelines",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyPipeline =
                resolver.resolve("vkDestroyPipeline", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkCreateDescriptorPool = resolver.resolve(
                "vkCreateDescriptorPool", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyDescriptorPool =
                resolver.resolve("vkDestroyDescriptorPool", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkResetDescriptorPool = resolver.resolve(
                "vkResetDescriptorPool", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        vkAllocateDescriptorSets = resolver.resolve(
                "vkAllocateDescriptorSets", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        vkUpdateDescriptorSets = resolver.resolve(
                "vkUpdateDescriptorSets", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        vkCreateCommandPool = resolver.resolve(
                "vkCreateCommandPool", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyCommandPool =
                resolver.resolve("vkDestroyCommandPool", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkAllocateCommandBuffers = resolver.resolve(
                "vkAllocateCommandBuffers", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        vkResetCommandBuffer =
                resolver.resolve("vkResetCommandBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        vkBeginCommandBuffer =
                resolver.resolve("vkBeginCommandBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        vkEndCommandBuffer = resolver.resolve("vkEndCommandBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vkCmdBindPipeline =
                resolver.resolve("vkCmdBindPipeline", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG));
        vkCmdBindDescriptorSets = resolver.resolve(
                "vkCmdBindDescriptorSets",
                FunctionDescriptor.ofVoid(
                        ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        vkCmdPushConstants = resolver.resolve(
                "vkCmdPushConstants",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        vkCmdDispatch =
                resolver.resolve("vkCmdDispatch", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        vkCmdPipelineBarrier = resolver.resolve(
                "vkCmdPipelineBarrier",
                FunctionDescriptor.ofVoid(
                        ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                        ADDRESS));
        vkCmdCopyBuffer = resolver.resolve(
                "vkCmdCopyBuffer", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS));
        vkCmdResetQueryPool = resolver.resolve(
                "vkCmdResetQueryPool", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT));
        vkCmdWriteTimestamp = resolver.resolve(
                "vkCmdWriteTimestamp", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        vkCreateQueryPool = resolver.resolve(
                "vkCreateQueryPool", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyQueryPool =
                resolver.resolve("vkDestroyQueryPool", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkGetQueryPoolResults = resolver.resolve(
                "vkGetQueryPoolResults",
                FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT));
        vkCreateFence =
                resolver.resolve("vkCreateFence", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkDestroyFence = resolver.resolve("vkDestroyFence", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, ADDRESS));
        vkResetFences = resolver.resolve("vkResetFences", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        vkWaitForFences = resolver.resolve(
                "vkWaitForFences", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
        vkQueueSubmit = resolver.resolve(
                "vkQueueSubmit", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
        vkQueueWaitIdle = resolver.resolve("vkQueueWaitIdle", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public void vkDestroyDevice(MemorySegment device, MemorySegment allocator) {
        try {
            vkDestroyDevice.invokeExact(device, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyDevice", t);
        }
    }

    public void vkGetDeviceQueue(MemorySegment device, int queueFamilyIndex, int queueIndex, MemorySegment queue) {
        try {
            vkGetDeviceQueue.invokeExact(device, queueFamilyIndex, queueIndex, queue);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkGetDeviceQueue", t);
        }
    }

    public int vkDeviceWaitIdle(MemorySegment device) {
        try {
            return (int) vkDeviceWaitIdle.invokeExact(device);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDeviceWaitIdle", t);
        }
    }

    public int vkCreateBuffer(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment buffer) {
        try {
            return (int) vkCreateBuffer.invokeExact(device, createInfo, allocator, buffer);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateBuffer", t);
        }
    }

    public void vkDestroyBuffer(MemorySegment device, long buffer, MemorySegment allocator) {
        try {
            vkDestroyBuffer.invokeExact(device, buffer, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyBuffer", t);
        }
    }

    public void vkGetBufferMemoryRequirements(MemorySegment device, long buffer, MemorySegment requirements) {
        try {
            vkGetBufferMemoryRequirements.invokeExact(device, buffer, requirements);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkGetBufferMemoryRequirements", t);
        }
    }

    public int vkAllocateMemory(
            MemorySegment device, MemorySegment allocateInfo, MemorySegment allocator, MemorySegment memory) {
        try {
            return (int) vkAllocateMemory.invokeExact(device, allocateInfo, allocator, memory);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkAllocateMemory", t);
        }
    }

    public void vkFreeMemory(MemorySegment device, long memory, MemorySegment allocator) {
        try {
            vkFreeMemory.invokeExact(device, memory, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkFreeMemory", t);
        }
    }

    public int vkBindBufferMemory(MemorySegment device, long buffer, long memory, long offset) {
        try {
            return (int) vkBindBufferMemory.invokeExact(device, buffer, memory, offset);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkBindBufferMemory", t);
        }
    }

    public int vkMapMemory(MemorySegment device, long memory, long offset, long size, int flags, MemorySegment data) {
        try {
            return (int) vkMapMemory.invokeExact(device, memory, offset, size, flags, data);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkMapMemory", t);
        }
    }

    public void vkUnmapMemory(MemorySegment device, long memory) {
        try {
            vkUnmapMemory.invokeExact(device, memory);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkUnmapMemory", t);
        }
    }

    public int vkCreateShaderModule(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment shaderModule) {
        try {
            return (int) vkCreateShaderModule.invokeExact(device, createInfo, allocator, shaderModule);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateShaderModule", t);
        }
    }

    public void vkDestroyShaderModule(MemorySegment device, long shaderModule, MemorySegment allocator) {
        try {
            vkDestroyShaderModule.invokeExact(device, shaderModule, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyShaderModule", t);
        }
    }

    public int vkCreateDescriptorSetLayout(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment setLayout) {
        try {
            return (int) vkCreateDescriptorSetLayout.invokeExact(device, createInfo, allocator, setLayout);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateDescriptorSetLayout", t);
        }
    }

    public void vkDestroyDescriptorSetLayout(MemorySegment device, long setLayout, MemorySegment allocator) {
        try {
            vkDestroyDescriptorSetLayout.invokeExact(device, setLayout, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyDescriptorSetLayout", t);
        }
    }

    public int vkCreatePipelineLayout(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment pipelineLayout) {
        try {
            return (int) vkCreatePipelineLayout.invokeExact(device, createInfo, allocator, pipelineLayout);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreatePipelineLayout", t);
        }
    }

    public void vkDestroyPipelineLayout(MemorySegment device, long pipelineLayout, MemorySegment allocator) {
        try {
            vkDestroyPipelineLayout.invokeExact(device, pipelineLayout, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyPipelineLayout", t);
        }
    }

    public int vkCreateComputePipelines(
            MemorySegment device,
            long pipelineCache,
            int createInfoCount,
            MemorySegment createInfos,
            MemorySegment allocator,
            MemorySegment pipelines) {
        try {
            return (int) vkCreateComputePipelines.invokeExact(
                    device, pipelineCache, createInfoCount, createInfos, allocator, pipelines);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateComputePipelines", t);
        }
    }

    public void vkDestroyPipeline(MemorySegment device, long pipeline, MemorySegment allocator) {
        try {
            vkDestroyPipeline.invokeExact(device, pipeline, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyPipeline", t);
        }
    }

    public int vkCreateDescriptorPool(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment descriptorPool) {
        try {
            return (int) vkCreateDescriptorPool.invokeExact(device, createInfo, allocator, descriptorPool);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateDescriptorPool", t);
        }
    }

    public void vkDestroyDescriptorPool(MemorySegment device, long descriptorPool, MemorySegment allocator) {
        try {
            vkDestroyDescriptorPool.invokeExact(device, descriptorPool, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyDescriptorPool", t);
        }
    }

    public int vkResetDescriptorPool(MemorySegment device, long descriptorPool, int flags) {
        try {
            return (int) vkResetDescriptorPool.invokeExact(device, descriptorPool, flags);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkResetDescriptorPool", t);
        }
    }

    public int vkAllocateDescriptorSets(
            MemorySegment device, MemorySegment allocateInfo, MemorySegment descriptorSets) {
        try {
            return (int) vkAllocateDescriptorSets.invokeExact(device, allocateInfo, descriptorSets);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkAllocateDescriptorSets", t);
        }
    }

    public void vkUpdateDescriptorSets(
            MemorySegment device, int writeCount, MemorySegment writes, int copyCount, MemorySegment copies) {
        try {
            vkUpdateDescriptorSets.invokeExact(device, writeCount, writes, copyCount, copies);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkUpdateDescriptorSets", t);
        }
    }

    public int vkCreateCommandPool(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment commandPool) {
        try {
            return (int) vkCreateCommandPool.invokeExact(device, createInfo, allocator, commandPool);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateCommandPool", t);
        }
    }

    public void vkDestroyCommandPool(MemorySegment device, long commandPool, MemorySegment allocator) {
        try {
            vkDestroyCommandPool.invokeExact(device, commandPool, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyCommandPool", t);
        }
    }

    public int vkAllocateCommandBuffers(
            MemorySegment device, MemorySegment allocateInfo, MemorySegment commandBuffers) {
        try {
            return (int) vkAllocateCommandBuffers.invokeExact(device, allocateInfo, commandBuffers);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkAllocateCommandBuffers", t);
        }
    }

    public int vkResetCommandBuffer(MemorySegment commandBuffer, int flags) {
        try {
            return (int) vkResetCommandBuffer.invokeExact(commandBuffer, flags);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkResetCommandBuffer", t);
        }
    }

    public int vkBeginCommandBuffer(MemorySegment commandBuffer, MemorySegment beginInfo) {
        try {
            return (int) vkBeginCommandBuffer.invokeExact(commandBuffer, beginInfo);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkBeginCommandBuffer", t);
        }
    }

    public int vkEndCommandBuffer(MemorySegment commandBuffer) {
        try {
            return (int) vkEndCommandBuffer.invokeExact(commandBuffer);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkEndCommandBuffer", t);
        }
    }

    public void vkCmdBindPipeline(MemorySegment commandBuffer, int bindPoint, long pipeline) {
        try {
            vkCmdBindPipeline.invokeExact(commandBuffer, bindPoint, pipeline);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdBindPipeline", t);
        }
    }

    public void vkCmdBindDescriptorSets(
            MemorySegment commandBuffer,
            int bindPoint,
            long layout,
            int firstSet,
            int setCount,
            MemorySegment sets,
            int dynamicOffsetCount,
            MemorySegment dynamicOffsets) {
        try {
            vkCmdBindDescriptorSets.invokeExact(
                    commandBuffer, bindPoint, layout, firstSet, setCount, sets, dynamicOffsetCount, dynamicOffsets);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdBindDescriptorSets", t);
        }
    }

    public void vkCmdPushConstants(
            MemorySegment commandBuffer, long layout, int stageFlags, int offset, int size, MemorySegment values) {
        try {
            vkCmdPushConstants.invokeExact(commandBuffer, layout, stageFlags, offset, size, values);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdPushConstants", t);
        }
    }

    public void vkCmdDispatch(MemorySegment commandBuffer, int x, int y, int z) {
        try {
            vkCmdDispatch.invokeExact(commandBuffer, x, y, z);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdDispatch", t);
        }
    }

    public void vkCmdPipelineBarrier(
            MemorySegment commandBuffer,
            int srcStageMask,
            int dstStageMask,
            int dependencyFlags,
            int memoryBarrierCount,
            MemorySegment memoryBarriers,
            int bufferBarrierCount,
            MemorySegment bufferBarriers,
            int imageBarrierCount,
            MemorySegment imageBarriers) {
        try {
            vkCmdPipelineBarrier.invokeExact(
                    commandBuffer,
                    srcStageMask,
                    dstStageMask,
                    dependencyFlags,
                    memoryBarrierCount,
                    memoryBarriers,
                    bufferBarrierCount,
                    bufferBarriers,
                    imageBarrierCount,
                    imageBarriers);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdPipelineBarrier", t);
        }
    }

    public void vkCmdCopyBuffer(
            MemorySegment commandBuffer, long src, long dst, int regionCount, MemorySegment regions) {
        try {
            vkCmdCopyBuffer.invokeExact(commandBuffer, src, dst, regionCount, regions);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdCopyBuffer", t);
        }
    }

    public void vkCmdResetQueryPool(MemorySegment commandBuffer, long queryPool, int firstQuery, int queryCount) {
        try {
            vkCmdResetQueryPool.invokeExact(commandBuffer, queryPool, firstQuery, queryCount);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdResetQueryPool", t);
        }
    }

    public void vkCmdWriteTimestamp(MemorySegment commandBuffer, int pipelineStage, long queryPool, int query) {
        try {
            vkCmdWriteTimestamp.invokeExact(commandBuffer, pipelineStage, queryPool, query);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCmdWriteTimestamp", t);
        }
    }

    public int vkCreateQueryPool(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment queryPool) {
        try {
            return (int) vkCreateQueryPool.invokeExact(device, createInfo, allocator, queryPool);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateQueryPool", t);
        }
    }

    public void vkDestroyQueryPool(MemorySegment device, long queryPool, MemorySegment allocator) {
        try {
            vkDestroyQueryPool.invokeExact(device, queryPool, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyQueryPool", t);
        }
    }

    public int vkGetQueryPoolResults(
            MemorySegment device,
            long queryPool,
            int firstQuery,
            int queryCount,
            long dataSize,
            MemorySegment data,
            long stride,
            int flags) {
        try {
            return (int) vkGetQueryPoolResults.invokeExact(
                    device, queryPool, firstQuery, queryCount, dataSize, data, stride, flags);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkGetQueryPoolResults", t);
        }
    }

    public int vkCreateFence(
            MemorySegment device, MemorySegment createInfo, MemorySegment allocator, MemorySegment fence) {
        try {
            return (int) vkCreateFence.invokeExact(device, createInfo, allocator, fence);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateFence", t);
        }
    }

    public void vkDestroyFence(MemorySegment device, long fence, MemorySegment allocator) {
        try {
            vkDestroyFence.invokeExact(device, fence, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyFence", t);
        }
    }

    public int vkResetFences(MemorySegment device, int fenceCount, MemorySegment fences) {
        try {
            return (int) vkResetFences.invokeExact(device, fenceCount, fences);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkResetFences", t);
        }
    }

    public int vkWaitForFences(MemorySegment device, int fenceCount, MemorySegment fences, int waitAll, long timeout) {
        try {
            return (int) vkWaitForFences.invokeExact(device, fenceCount, fences, waitAll, timeout);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkWaitForFences", t);
        }
    }

    public int vkQueueSubmit(MemorySegment queue, int submitCount, MemorySegment submits, long fence) {
        try {
            return (int) vkQueueSubmit.invokeExact(queue, submitCount, submits, fence);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkQueueSubmit", t);
        }
    }

    public int vkQueueWaitIdle(MemorySegment queue) {
        try {
            return (int) vkQueueWaitIdle.invokeExact(queue);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkQueueWaitIdle", t);
        }
    }
}
