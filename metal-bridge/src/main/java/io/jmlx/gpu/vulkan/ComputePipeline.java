package io.jmlx.gpu.vulkan;

import static io.jmlx.gpu.vulkan.VkStructs.COMPUTE_PIPELINE_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.DESCRIPTOR_SET_LAYOUT_BINDING;
import static io.jmlx.gpu.vulkan.VkStructs.DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.PIPELINE_LAYOUT_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.PUSH_CONSTANT_RANGE;
import static io.jmlx.gpu.vulkan.VkStructs.SHADER_MODULE_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.SPECIALIZATION_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.SPECIALIZATION_MAP_ENTRY;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A compute pipeline made from SPIR-V: {@code bindings} storage buffers in descriptor set 0 (bindings 0..n-1),
 * a push-constant block of {@code pushConstantBytes}, and 32-bit specialization constants {@code 0..k-1}.
 */
public final class ComputePipeline implements AutoCloseable {
    private final VulkanDevice device;
    private final long setLayout;
    private final long layout;
    private final long pipeline;
    private final int bindings;
    private final int pushConstantBytes;
    private boolean closed;

    private ComputePipeline(
            VulkanDevice device, long setLayout, long layout, long pipeline, int bindings, int pushConstantBytes) {
        this.device = device;
        this.setLayout = setLayout;
        this.layout = layout;
        this.pipeline = pipeline;
        this.bindings = bindings;
        this.pushConstantBytes = pushConstantBytes;
    }

    /**
     * Builds the pipeline.
     *
     * @param name           for messages, e.g. {@code affine_quantize}
     * @param spirv          the SPIR-V module (a multiple of 4 bytes)
     * @param specConstants  values of specialization constants 0, 1, ...
     */
    public static ComputePipeline create(
            VulkanDevice device, String name, byte[] spirv, int bindings, int pushConstantBytes, int[] specConstants) {
        if (spirv.length % 4 != 0) {
            throw new IllegalArgumentException(
                    "SPIR-V of " + name + " is " + spirv.length + " bytes, not a multiple of 4");
        }
        DeviceFunctions f = device.functions();
        MemorySegment d = device.handle();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment code = arena.allocate(spirv.length, 4);
            code.copyFrom(MemorySegment.ofArray(spirv));
            MemorySegment moduleInfo = SHADER_MODULE_CREATE_INFO.allocate(arena);
            SHADER_MODULE_CREATE_INFO.setInt(moduleInfo, "sType", Vk.STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
            SHADER_MODULE_CREATE_INFO.setLong(moduleInfo, "codeSize", spirv.length);
            SHADER_MODULE_CREATE_INFO.setAddress(moduleInfo, "pCode", code);
            VulkanException.check(
                    f.vkCreateShaderModule(d, moduleInfo, MemorySegment.NULL, out),
                    "vkCreateShaderModule(" + name + ")");
            long module = out.get(ValueLayout.JAVA_LONG, 0);
            try {
                MemorySegment bindingInfos = DESCRIPTOR_SET_LAYOUT_BINDING.allocate(arena, bindings);
                for (int b = 0; b < bindings; b++) {
                    MemorySegment binding = DESCRIPTOR_SET_LAYOUT_BINDING.at(bindingInfos, b);
                    DESCRIPTOR_SET_LAYOUT_BINDING.setInt(binding, "binding", b);
                    DESCRIPTOR_SET_LAYOUT_BINDING.setInt(binding, "descriptorType", Vk.DESCRIPTOR_TYPE_STORAGE_BUFFER);
                    DESCRIPTOR_SET_LAYOUT_BINDING.setInt(binding, "descriptorCount", 1);
                    DESCRIPTOR_SET_LAYOUT_BINDING.setInt(binding, "stageFlags", Vk.SHADER_STAGE_COMPUTE_BIT);
                }
                MemorySegment setInfo = DESCRIPTOR_SET_LAYOUT_CREATE_INFO.allocate(arena);
                DESCRIPTOR_SET_LAYOUT_CREATE_INFO.setInt(
                        setInfo, "sType", Vk.STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
                DESCRIPTOR_SET_LAYOUT_CREATE_INFO.setInt(setInfo, "bindingCount", bindings);
                DESCRIPTOR_SET_LAYOUT_CREATE_INFO.setAddress(setInfo, "pBindings", bindingInfos);
                VulkanException.check(
                        f.vkCreateDescriptorSetLayout(d, setInfo, MemorySegment.NULL, out),
                        "vkCreateDescriptorSetLayout(" + name + ")");
                long setLayout = out.get(ValueLayout.JAVA_LONG, 0);

                MemorySegment range = PUSH_CONSTANT_RANGE.allocate(arena);
                PUSH_CONSTANT_RANGE.setInt(range, "stageFlags", Vk.SHADER_STAGE_COMPUTE_BIT);
                PUSH_CONSTANT_RANGE.setInt(range, "size", pushConstantBytes);
                MemorySegment layoutInfo = PIPELINE_LAYOUT_CREATE_INFO.allocate(arena);
                PIPELINE_LAYOUT_CREATE_INFO.setInt(layoutInfo, "sType", Vk.STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
                PIPELINE_LAYOUT_CREATE_INFO.setInt(layoutInfo, "setLayoutCount", 1);
                PIPELINE_LAYOUT_CREATE_INFO.setAddress(
                        layoutInfo, "pSetLayouts", arena.allocateFrom(ValueLayout.JAVA_LONG, setLayout));
                if (pushConstantBytes > 0) {
                    PIPELINE_LAYOUT_CREATE_INFO.setInt(layoutInfo, "pushConstantRangeCount", 1);
                    PIPELINE_LAYOUT_CREATE_INFO.setAddress(layoutInfo, "pPushConstantRanges", range);
                }
                int layoutResult = f.vkCreatePipelineLayout(d, layoutInfo, MemorySegment.NULL, out);
                if (layoutResult < 0) {
                    f.vkDestroyDescriptorSetLayout(d, setLayout, MemorySegment.NULL);
                }
                VulkanException.check(layoutResult, "vkCreatePipelineLayout(" + name + ")");
                long layout = out.get(ValueLayout.JAVA_LONG, 0);

                MemorySegment entries = SPECIALIZATION_MAP_ENTRY.allocate(arena, Math.max(1, specConstants.length));
                for (int i = 0; i < specConstants.length; i++) {
                    MemorySegment e = SPECIALIZATION_MAP_ENTRY.at(entries, i);
                    SPECIALIZATION_MAP_ENTRY.setInt(e, "constantID", i);
                    SPECIALIZATION_MAP_ENTRY.setInt(e, "offset", 4 * i);
                    SPECIALIZATION_MAP_ENTRY.setLong(e, "size", 4);
                }
                MemorySegment spec = SPECIALIZATION_INFO.allocate(arena);
                SPECIALIZATION_INFO.setInt(spec, "mapEntryCount", specConstants.length);
                SPECIALIZATION_INFO.setAddress(spec, "pMapEntries", entries);
                SPECIALIZATION_INFO.setLong(spec, "dataSize", 4L * specConstants.length);
                SPECIALIZATION_INFO.setAddress(
                        spec,
                        "pData",
                        arena.allocateFrom(
                                ValueLayout.JAVA_INT, specConstants.length == 0 ? new int[1] : specConstants));

                MemorySegment info = COMPUTE_PIPELINE_CREATE_INFO.allocate(arena);
                COMPUTE_PIPELINE_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
                COMPUTE_PIPELINE_CREATE_INFO.setInt(
                        info, "stage.sType", Vk.STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
                COMPUTE_PIPELINE_CREATE_INFO.setInt(info, "stage.stage", Vk.SHADER_STAGE_COMPUTE_BIT);
                COMPUTE_PIPELINE_CREATE_INFO.setLong(info, "stage.module", module);
                COMPUTE_PIPELINE_CREATE_INFO.setAddress(info, "stage.pName", arena.allocateFrom("main"));
                COMPUTE_PIPELINE_CREATE_INFO.setAddress(info, "stage.pSpecializationInfo", spec);
                COMPUTE_PIPELINE_CREATE_INFO.setLong(info, "layout", layout);
                COMPUTE_PIPELINE_CREATE_INFO.setInt(info, "basePipelineIndex", -1);
                int pipelineResult = f.vkCreateComputePipelines(d, 0L, 1, info, MemorySegment.NULL, out);
                if (pipelineResult < 0) {
                    f.vkDestroyPipelineLayout(d, layout, MemorySegment.NULL);
                    f.vkDestroyDescriptorSetLayout(d, setLayout, MemorySegment.NULL);
                }
                VulkanException.check(pipelineResult, "vkCreateComputePipelines(" + name + ")");
                return new ComputePipeline(
                        device, setLayout, layout, out.get(ValueLayout.JAVA_LONG, 0), bindings, pushConstantBytes);
            } finally {
                f.vkDestroyShaderModule(d, module, MemorySegment.NULL);
            }
        }
    }

    public long pipeline() {
        return pipeline;
    }

    public long layout() {
        return layout;
    }

    public long setLayout() {
        return setLayout;
    }

    public int bindings() {
        return bindings;
    }

    public int pushConstantBytes() {
        return pushConstantBytes;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            DeviceFunctions f = device.functions();
            f.vkDestroyPipeline(device.handle(), pipeline, MemorySegment.NULL);
            f.vkDestroyPipelineLayout(device.handle(), layout, MemorySegment.NULL);
            f.vkDestroyDescriptorSetLayout(device.handle(), setLayout, MemorySegment.NULL);
        }
    }
}
