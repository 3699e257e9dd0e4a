package io.jmlx.gpu.vulkan;

import static io.jmlx.gpu.vulkan.VkStructs.BUFFER_COPY;
import static io.jmlx.gpu.vulkan.VkStructs.COMMAND_BUFFER_BEGIN_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.DESCRIPTOR_BUFFER_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.DESCRIPTOR_SET_ALLOCATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.MEMORY_BARRIER;
import static io.jmlx.gpu.vulkan.VkStructs.SUBMIT_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.WRITE_DESCRIPTOR_SET;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One command buffer with its own descriptor pool and fence, recorded, submitted and then reset for reuse. Not
 * thread-safe: one thread records at a time. The structs it passes to Vulkan live in a scratch arena owned by the
 * recorder.
 */
public final class CommandRecorder implements AutoCloseable {
    /** Descriptor sets one recording may allocate before it must be submitted. */
    public static final int MAX_DISPATCHES = 256;

    private static final int MAX_BINDINGS = 8;
    /** Regions per vkCmdCopyBuffer (what the 4 KiB scratch holds). */
    private static final int REGIONS_PER_COPY = 128;

    private final VulkanDevice device;
    private final DeviceFunctions f;
    private final long commandPool;
    private final MemorySegment commandBuffer;
    private final long descriptorPool;
    private final long fence;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scratch = arena.allocate(4096, 16);
    private int dispatches;
    private boolean recording;

    public CommandRecorder(VulkanDevice device) {
        this.device = device;
        this.f = device.functions();
        this.commandPool = device.createCommandPool();
        this.commandBuffer = device.allocateCommandBuffer(commandPool);
        this.descriptorPool = device.createDescriptorPool(MAX_DISPATCHES, MAX_DISPATCHES * MAX_BINDINGS);
        this.fence = device.createFence();
    }

    /** The fence signalled when the last submission completes. */
    public long fence() {
        return fence;
    }

    /** Dispatches recorded since {@link #begin()}. */
    public int dispatches() {
        return dispatches;
    }

    /** Whether another dispatch fits before the recording must be submitted. */
    public boolean hasRoom() {
        return dispatches < MAX_DISPATCHES;
    }

    /** Resets the command buffer, descriptor pool and fence and starts recording. */
    public void begin() {
        VulkanException.check(f.vkResetCommandBuffer(commandBuffer, 0), "vkResetCommandBuffer");
        VulkanException.check(f.vkResetDescriptorPool(device.handle(), descriptorPool, 0), "vkResetDescriptorPool");
        device.resetFence(fence);
        MemorySegment info =
                scratch.asSlice(0, COMMAND_BUFFER_BEGIN_INFO.size()).fill((byte) 0);
        COMMAND_BUFFER_BEGIN_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
        COMMAND_BUFFER_BEGIN_INFO.setInt(info, "flags", Vk.COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
        VulkanException.check(f.vkBeginCommandBuffer(commandBuffer, info), "vkBeginCommandBuffer");
        dispatches = 0;
        recording = true;
    }

    /**
     * Records one dispatch of {@code pipeline} over {@code groups} work groups with storage buffers
     * {@code (buffer, offset, range)} bound in order and {@code pushConstants} pushed.
     */
    public void dispatch(
            ComputePipeline pipeline,
            long[] buffers,
            long[] offsets,
            long[] ranges,
            MemorySegment pushConstants,
            int groupsX,
            int groupsY,
            int groupsZ) {
        if (!recording) {
            throw new IllegalStateException("dispatch outside begin()/end()");
        }
        if (!hasRoom()) {
            throw new IllegalStateException("more than " + MAX_DISPATCHES + " dispatches in one command buffer");
        }
        int n = pipeline.bindings();
        if (buffers.length != n || offsets.length != n || ranges.length != n) {
            throw new IllegalArgumentException(
                    "the pipeline has " + n + " bindings but " + buffers.length + " were given");
        }
        MemorySegment alloc =
                scratch.asSlice(0, DESCRIPTOR_SET_ALLOCATE_INFO.size()).fill((byte) 0);
        MemorySegment layouts = scratch.asSlice(256, 8);
        MemorySegment setOut = scratch.asSlice(264, 8);
        layouts.set(ValueLayout.JAVA_LONG, 0, pipeline.setLayout());
        DESCRIPTOR_SET_ALLOCATE_INFO.setInt(alloc, "sType", Vk.STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
        DESCRIPTOR_SET_ALLOCATE_INFO.setLong(alloc, "descriptorPool", descriptorPool);
        DESCRIPTOR_SET_ALLOCATE_INFO.setInt(alloc, "descriptorSetCount", 1);
        DESCRIPTOR_SET_ALLOCATE_INFO.setAddress(alloc, "pSetLayouts", layouts);
        VulkanException.check(f.vkAllocateDescriptorSets(device.handle(), alloc, setOut), "vkAllocateDescriptorSets");
        long set = setOut.get(ValueLayout.JAVA_LONG, 0);

        MemorySegment infos = scratch.asSlice(512, DESCRIPTOR_BUFFER_INFO.size() * n);
        MemorySegment writes =
                scratch.asSlice(1024, WRITE_DESCRIPTOR_SET.size() * n).fill((byte) 0);
        for (int b = 0; b < n; b++) {
            MemorySegment info = DESCRIPTOR_BUFFER_INFO.at(infos, b);
            DESCRIPTOR_BUFFER_INFO.setLong(info, "buffer", buffers[b]);
            DESCRIPTOR_BUFFER_INFO.setLong(info, "offset", offsets[b]);
            DESCRIPTOR_BUFFER_INFO.setLong(info, "range", ranges[b]);
            MemorySegment w = WRITE_DESCRIPTOR_SET.at(writes, b);
            WRITE_DESCRIPTOR_SET.setInt(w, "sType", Vk.STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
            WRITE_DESCRIPTOR_SET.setLong(w, "dstSet", set);
            WRITE_DESCRIPTOR_SET.setInt(w, "dstBinding", b);
            WRITE_DESCRIPTOR_SET.setInt(w, "descriptorCount", 1);
            WRITE_DESCRIPTOR_SET.setInt(w, "descriptorType", Vk.DESCRIPTOR_TYPE_STORAGE_BUFFER);
            WRITE_DESCRIPTOR_SET.setAddress(w, "pBufferInfo", info);
        }
        f.vkUpdateDescriptorSets(device.handle(), n, writes, 0, MemorySegment.NULL);

        f.vkCmdBindPipeline(commandBuffer, Vk.PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline());
        setOut.set(ValueLayout.JAVA_LONG, 0, set);
        f.vkCmdBindDescriptorSets(
                commandBuffer, Vk.PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, setOut, 0, MemorySegment.NULL);
        if (pipeline.pushConstantBytes() > 0) {
            if (pushConstants.byteSize() != pipeline.pushConstantBytes()) {
                throw new IllegalArgumentException("push constants are " + pushConstants.byteSize()
                        + " bytes, the pipeline declares " + pipeline.pushConstantBytes());
            }
            f.vkCmdPushConstants(
                    commandBuffer,
                    pipeline.layout(),
                    Vk.SHADER_STAGE_COMPUTE_BIT,
                    0,
                    pipeline.pushConstantBytes(),
                    pushConstants);
        }
        f.vkCmdDispatch(commandBuffer, groupsX, groupsY, groupsZ);
        dispatches++;
    }

    /**
     * A full memory barrier between shader writes and every later shader or transfer access (and the host when
     * {@code toHost}): dispatches recorded after it see what earlier ones wrote.
     */
    public void barrier(boolean toHost) {
        MemorySegment barrier = scratch.asSlice(0, MEMORY_BARRIER.size()).fill((byte) 0);
        MEMORY_BARRIER.setInt(barrier, "sType", Vk.STRUCTURE_TYPE_MEMORY_BARRIER);
        MEMORY_BARRIER.setInt(barrier, "srcAccessMask", Vk.ACCESS_SHADER_WRITE_BIT | Vk.ACCESS_TRANSFER_WRITE_BIT);
        MEMORY_BARRIER.setInt(
                barrier,
                "dstAccessMask",
                Vk.ACCESS_SHADER_READ_BIT
                        | Vk.ACCESS_SHADER_WRITE_BIT
                        | Vk.ACCESS_TRANSFER_READ_BIT
                        | Vk.ACCESS_TRANSFER_WRITE_BIT
                        | (toHost ? Vk.ACCESS_HOST_READ_BIT : 0));
        f.vkCmdPipelineBarrier(
                commandBuffer,
                Vk.PIPELINE_STAGE_COMPUTE_SHADER_BIT | Vk.PIPELINE_STAGE_TRANSFER_BIT,
                Vk.PIPELINE_STAGE_COMPUTE_SHADER_BIT
                        | Vk.PIPELINE_STAGE_TRANSFER_BIT
                        | (toHost ? Vk.PIPELINE_STAGE_HOST_BIT : 0),
                0,
                1,
                barrier,
                0,
                MemorySegment.NULL,
                0,
                MemorySegment.NULL);
    }

    /** Copies {@code size} bytes between buffers. */
    public void copy(long src, long srcOffset, long dst, long dstOffset, long size) {
        MemorySegment region = scratch.asSlice(0, BUFFER_COPY.size());
        BUFFER_COPY.setLong(region, "srcOffset", srcOffset);
        BUFFER_COPY.setLong(region, "dstOffset", dstOffset);
        BUFFER_COPY.setLong(region, "size", size);
        f.vkCmdCopyBuffer(commandBuffer, src, dst, 1, region);
    }

    /**
     * Copies {@code sizes[i]} bytes from {@code srcOffsets[i]} of {@code src} to {@code dstOffsets[i]} of {@code dst}
     * for every {@code i}, in one command per {@value #REGIONS_PER_COPY} regions.
     */
    public void copyRegions(long src, long dst, long[] srcOffsets, long[] dstOffsets, long[] sizes) {
        for (int first = 0; first < sizes.length; first += REGIONS_PER_COPY) {
            int n = Math.min(REGIONS_PER_COPY, sizes.length - first);
            MemorySegment regions = scratch.asSlice(0, BUFFER_COPY.size() * n);
            for (int i = 0; i < n; i++) {
                MemorySegment region = BUFFER_COPY.at(regions, i);
                BUFFER_COPY.setLong(region, "srcOffset", srcOffsets[first + i]);
                BUFFER_COPY.setLong(region, "dstOffset", dstOffsets[first + i]);
                BUFFER_COPY.setLong(region, "size", sizes[first + i]);
            }
            f.vkCmdCopyBuffer(commandBuffer, src, dst, n, regions);
        }
    }

    /** Resets queries {@code first..first+count-1} of a timestamp pool (before writing them). */
    public void resetTimestamps(long pool, int first, int count) {
        f.vkCmdResetQueryPool(commandBuffer, pool, first, count);
    }

    /** Writes timestamp {@code query} once all earlier commands have finished. */
    public void timestamp(long pool, int query) {
        f.vkCmdWriteTimestamp(commandBuffer, Vk.PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, query);
    }

    /** Ends recording and submits to the device's queue; {@link #fence()} signals on completion. */
    public void submit() {
        VulkanException.check(f.vkEndCommandBuffer(commandBuffer), "vkEndCommandBuffer");
        recording = false;
        MemorySegment info = scratch.asSlice(0, SUBMIT_INFO.size()).fill((byte) 0);
        MemorySegment buffers = scratch.asSlice(256, 8);
        buffers.set(ValueLayout.ADDRESS, 0, commandBuffer);
        SUBMIT_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_SUBMIT_INFO);
        SUBMIT_INFO.setInt(info, "commandBufferCount", 1);
        SUBMIT_INFO.setAddress(info, "pCommandBuffers", buffers);
        VulkanException.check(f.vkQueueSubmit(device.queue(), 1, info, fence), "vkQueueSubmit");
    }

    @Override
    public void close() {
        f.vkDestroyFence(device.handle(), fence, MemorySegment.NULL);
        f.vkDestroyDescriptorPool(device.handle(), descriptorPool, MemorySegment.NULL);
        f.vkDestroyCommandPool(device.handle(), commandPool, MemorySegment.NULL);
        arena.close();
    }
}
