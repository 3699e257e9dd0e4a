package io.jmlx.gpu.vulkan;

import static io.jmlx.gpu.vulkan.CStruct.bytes;
import static io.jmlx.gpu.vulkan.CStruct.f32;
import static io.jmlx.gpu.vulkan.CStruct.f32s;
import static io.jmlx.gpu.vulkan.CStruct.ptr;
import static io.jmlx.gpu.vulkan.CStruct.struct;
import static io.jmlx.gpu.vulkan.CStruct.structs;
import static io.jmlx.gpu.vulkan.CStruct.u32;
import static io.jmlx.gpu.vulkan.CStruct.u32s;
import static io.jmlx.gpu.vulkan.CStruct.u64;

import java.util.List;

/**
 * Every Vulkan struct the bindings read or write, field for field as in {@code vulkan_core.h} (Vulkan 1.1 core,
 * compute only). Enums, flags and {@code VkBool32} are 32-bit; {@code VkDeviceSize}, {@code size_t} and
 * non-dispatchable handles are 64-bit; pointers and dispatchable handles are addresses.
 */
public final class VkStructs {
    private VkStructs() {}

    public static final CStruct APPLICATION_INFO = CStruct.of(
            "VkApplicationInfo",
            u32("sType"),
            ptr("pNext"),
            ptr("pApplicationName"),
            u32("applicationVersion"),
            ptr("pEngineName"),
            u32("engineVersion"),
            u32("apiVersion"));

    public static final CStruct INSTANCE_CREATE_INFO = CStruct.of(
            "VkInstanceCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            ptr("pApplicationInfo"),
            u32("enabledLayerCount"),
            ptr("ppEnabledLayerNames"),
            u32("enabledExtensionCount"),
            ptr("ppEnabledExtensionNames"));

    public static final CStruct EXTENSION_PROPERTIES =
            CStruct.of("VkExtensionProperties", bytes("extensionName", 256), u32("specVersion"));

    public static final CStruct PHYSICAL_DEVICE_LIMITS = CStruct.of(
            "VkPhysicalDeviceLimits",
            u32("maxImageDimension1D"),
            u32("maxImageDimension2D"),
            u32("maxImageDimension3D"),
            u32("maxImageDimensionCube"),
            u32("maxImageArrayLayers"),
            u32("maxTexelBufferElements"),
            u32("maxUniformBufferRange"),
            u32("maxStorageBufferRange"),
            u32("maxPushConstantsSize"),
            u32("maxMemoryAllocationCount"),
            u32("maxSamplerAllocationCount"),
            u64("bufferImageGranularity"),
            u64("sparseAddressSpaceSize"),
            u32("maxBoundDescriptorSets"),
            u32("maxPerStageDescriptorSamplers"),
            u32("maxPerStageDescriptorUniformBuffers"),
            u32("maxPerStageDescriptorStorageBuffers"),
            u32("maxPerStageDescriptorSampledImages"),
            u32("maxPerStageDescriptorStorageImages"),
            u32("maxPerStageDescriptorInputAttachments"),
            u32("maxPerStageResources"),
            u32("maxDescriptorSetSamplers"),
            u32("maxDescriptorSetUniformBuffers"),
            u32("maxDescriptorSetUniformBuffersDynamic"),
            u32("maxDescriptorSetStorageBuffers"),
            u32("maxDescriptorSetStorageBuffersDynamic"),
            u32("maxDescriptorSetSampledImages"),
            u32("maxDescriptorSetStorageImages"),
            u32("maxDescriptorSetInputAttachments"),
            u32("maxVertexInputAttributes"),
            u32("maxVertexInputBindings"),
            u32("maxVertexInputAttributeOffset"),
            u32("maxVertexInputBindingStride"),
            u32("maxVertexOutputComponents"),
            u32("maxTessellationGenerationLevel"),
            u32("maxTessellationPatchSize"),
            u32("maxTessellationControlPerVertexInputComponents"),
            u32("maxTessellationControlPerVertexOutputComponents"),
            u32("maxTessellationControlPerPatchOutputComponents"),
            u32("maxTessellationControlTotalOutputComponents"),
            u32("maxTessellationEvaluationInputComponents"),
            u32("maxTessellationEvaluationOutputComponents"),
            u32("maxGeometryShaderInvocations"),
            u32("maxGeometryInputComponents"),
            u32("maxGeometryOutputComponents"),
            u32("maxGeometryOutputVertices"),
            u32("maxGeometryTotalOutputComponents"),
            u32("maxFragmentInputComponents"),
            u32("maxFragmentOutputAttachments"),
            u32("maxFragmentDualSrcAttachments"),
            u32("maxFragmentCombinedOutputResources"),
            u32("maxComputeSharedMemorySize"),
            u32s("maxComputeWorkGroupCount", 3),
            u32("maxComputeWorkGroupInvocations"),
            u32s("maxComputeWorkGroupSize", 3),
            u32("subPixelPrecisionBits"),
            u32("subTexelPrecisionBits"),
            u32("mipmapPrecisionBits"),
            u32("maxDrawIndexedIndexValue"),
            u32("maxDrawIndirectCount"),
            f32("maxSamplerLodBias"),
            f32("maxSamplerAnisotropy"),
            u32("maxViewports"),
            u32s("maxViewportDimensions", 2),
            f32s("viewportBoundsRange", 2),
            u32("viewportSubPixelBits"),
            u64("minMemoryMapAlignment"),
            u64("minTexelBufferOffsetAlignment"),
            u64("minUniformBufferOffsetAlignment"),
            u64("minStorageBufferOffsetAlignment"),
            u32("minTexelOffset"),
            u32("maxTexelOffset"),
            u32("minTexelGatherOffset"),
            u32("maxTexelGatherOffset"),
            f32("minInterpolationOffset"),
            f32("maxInterpolationOffset"),
            u32("subPixelInterpolationOffsetBits"),
            u32("maxFramebufferWidth"),
            u32("maxFramebufferHeight"),
            u32("maxFramebufferLayers"),
            u32("framebufferColorSampleCounts"),
            u32("framebufferDepthSampleCounts"),
            u32("framebufferStencilSampleCounts"),
            u32("framebufferNoAttachmentsSampleCounts"),
            u32("maxColorAttachments"),
            u32("sampledImageColorSampleCounts"),
            u32("sampledImageIntegerSampleCounts"),
            u32("sampledImageDepthSampleCounts"),
            u32("sampledImageStencilSampleCounts"),
            u32("storageImageSampleCounts"),
            u32("maxSampleMaskWords"),
            u32("timestampComputeAndGraphics"),
            f32("timestampPeriod"),
            u32("maxClipDistances"),
            u32("maxCullDistances"),
            u32("maxCombinedClipAndCullDistances"),
            u32("discreteQueuePriorities"),
            f32s("pointSizeRange", 2),
            f32s("lineWidthRange", 2),
            f32("pointSizeGranularity"),
            f32("lineWidthGranularity"),
            u32("strictLines"),
            u32("standardSampleLocations"),
            u64("optimalBufferCopyOffsetAlignment"),
            u64("optimalBufferCopyRowPitchAlignment"),
            u64("nonCoherentAtomSize"));

    public static final CStruct PHYSICAL_DEVICE_SPARSE_PROPERTIES = CStruct.of(
            "VkPhysicalDeviceSparseProperties",
            u32("residencyStandard2DBlockShape"),
            u32("residencyStandard2DMultisampleBlockShape"),
            u32("residencyStandard3DBlockShape"),
            u32("residencyAlignedMipSize"),
            u32("residencyNonResidentStrict"));

    public static final CStruct PHYSICAL_DEVICE_PROPERTIES = CStruct.of(
            "VkPhysicalDeviceProperties",
            u32("apiVersion"),
            u32("driverVersion"),
            u32("vendorID"),
            u32("deviceID"),
            u32("deviceType"),
            bytes("deviceName", 256),
            bytes("pipelineCacheUUID", 16),
            struct("limits", PHYSICAL_DEVICE_LIMITS),
            struct("sparseProperties", PHYSICAL_DEVICE_SPARSE_PROPERTIES));

    public static final CStruct PHYSICAL_DEVICE_PROPERTIES_2 = CStruct.of(
            "VkPhysicalDeviceProperties2",
            u32("sType"),
            ptr("pNext"),
            struct("properties", PHYSICAL_DEVICE_PROPERTIES));

    public static final CStruct PHYSICAL_DEVICE_SUBGROUP_PROPERTIES = CStruct.of(
            "VkPhysicalDeviceSubgroupProperties",
            u32("sType"),
            ptr("pNext"),
            u32("subgroupSize"),
            u32("supportedStages"),
            u32("supportedOperations"),
            u32("quadOperationsInAllStages"));

    public static final CStruct EXTENT_3D = CStruct.of("VkExtent3D", u32("width"), u32("height"), u32("depth"));

    public static final CStruct QUEUE_FAMILY_PROPERTIES = CStruct.of(
            "VkQueueFamilyProperties",
            u32("queueFlags"),
            u32("queueCount"),
            u32("timestampValidBits"),
            struct("minImageTransferGranularity", EXTENT_3D));

    public static final CStruct MEMORY_TYPE = CStruct.of("VkMemoryType", u32("propertyFlags"), u32("heapIndex"));

    public static final CStruct MEMORY_HEAP = CStruct.of("VkMemoryHeap", u64("size"), u32("flags"));

    public static final CStruct PHYSICAL_DEVICE_MEMORY_PROPERTIES = CStruct.of(
            "VkPhysicalDeviceMemoryProperties",
            u32("memoryTypeCount"),
            structs("memoryTypes", MEMORY_TYPE, 32),
            u32("memoryHeapCount"),
            structs("memoryHeaps", MEMORY_HEAP, 16));

    public static final CStruct DEVICE_QUEUE_CREATE_INFO = CStruct.of(
            "VkDeviceQueueCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u32("queueFamilyIndex"),
            u32("queueCount"),
            ptr("pQueuePriorities"));

    public static final CStruct DEVICE_CREATE_INFO = CStruct.of(
            "VkDeviceCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u32("queueCreateInfoCount"),
            ptr("pQueueCreateInfos"),
            u32("enabledLayerCount"),
            ptr("ppEnabledLayerNames"),
            u32("enabledExtensionCount"),
            ptr("ppEnabledExtensionNames"),
            ptr("pEnabledFeatures"));

    public static final CStruct BUFFER_CREATE_INFO = CStruct.of(
            "VkBufferCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u64("size"),
            u32("usage"),
            u32("sharingMode"),
            u32("queueFamilyIndexCount"),
            ptr("pQueueFamilyIndices"));

    public static final CStruct MEMORY_REQUIREMENTS =
            CStruct.of("VkMemoryRequirements", u64("size"), u64("alignment"), u32("memoryTypeBits"));

    public static final CStruct MEMORY_ALLOCATE_INFO = CStruct.of(
            "VkMemoryAllocateInfo", u32("sType"), ptr("pNext"), u64("allocationSize"), u32("memoryTypeIndex"));

    public static final CStruct DESCRIPTOR_SET_LAYOUT_BINDING = CStruct.of(
            "VkDescriptorSetLayoutBinding",
            u32("binding"),
            u32("descriptorType"),
            u32("descriptorCount"),
            u32("stageFlags"),
            ptr("pImmutableSamplers"));

    public static final CStruct DESCRIPTOR_SET_LAYOUT_CREATE_INFO = CStruct.of(
            "VkDescriptorSetLayoutCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u32("bindingCount"),
            ptr("pBindings"));

    public static final CStruct PUSH_CONSTANT_RANGE =
            CStruct.of("VkPushConstantRange", u32("stageFlags"), u32("offset"), u32("size"));

    public static final CStruct PIPELINE_LAYOUT_CREATE_INFO = CStruct.of(
            "VkPipelineLayoutCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u32("setLayoutCount"),
            ptr("pSetLayouts"),
            u32("pushConstantRangeCount"),
            ptr("pPushConstantRanges"));

    public static final CStruct SHADER_MODULE_CREATE_INFO = CStruct.of(
            "VkShaderModuleCreateInfo", u32("sType"), ptr("pNext"), u32("flags"), u64("codeSize"), ptr("pCode"));

    public static final CStruct SPECIALIZATION_MAP_ENTRY =
            CStruct.of("VkSpecializationMapEntry", u32("constantID"), u32("offset"), u64("size"));

    public static final CStruct SPECIALIZATION_INFO =
            CStruct.of("VkSpecializationInfo", u32("mapEntryCount"), ptr("pMapEntries"), u64("dataSize"), ptr("pData"));

    public static final CStruct PIPELINE_SHADER_STAGE_CREATE_INFO = CStruct.of(
            "VkPipelineShaderStageCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u32("stage"),
            u64("module"),
            ptr("pName"),
            ptr("pSpecializationInfo"));

    public static final CStruct COMPUTE_PIPELINE_CREATE_INFO = CStruct.of(
            "VkComputePipelineCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            struct("stage", PIPELINE_SHADER_STAGE_CREATE_INFO),
            u64("layout"),
            u64("basePipelineHandle"),
            u32("basePipelineIndex"));

    public static final CStruct DESCRIPTOR_POOL_SIZE =
            CStruct.of("VkDescriptorPoolSize", u32("type"), u32("descriptorCount"));

    public static final CStruct DESCRIPTOR_POOL_CREATE_INFO = CStruct.of(
            "VkDescriptorPoolCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u32("maxSets"),
            u32("poolSizeCount"),
            ptr("pPoolSizes"));

    public static final CStruct DESCRIPTOR_SET_ALLOCATE_INFO = CStruct.of(
            "VkDescriptorSetAllocateInfo",
            u32("sType"),
            ptr("pNext"),
            u64("descriptorPool"),
            u32("descriptorSetCount"),
            ptr("pSetLayouts"));

    public static final CStruct DESCRIPTOR_BUFFER_INFO =
            CStruct.of("VkDescriptorBufferInfo", u64("buffer"), u64("offset"), u64("range"));

    public static final CStruct WRITE_DESCRIPTOR_SET = CStruct.of(
            "VkWriteDescriptorSet",
            u32("sType"),
            ptr("pNext"),
            u64("dstSet"),
            u32("dstBinding"),
            u32("dstArrayElement"),
            u32("descriptorCount"),
            u32("descriptorType"),
            ptr("pImageInfo"),
            ptr("pBufferInfo"),
            ptr("pTexelBufferView"));

    public static final CStruct COMMAND_POOL_CREATE_INFO =
            CStruct.of("VkCommandPoolCreateInfo", u32("sType"), ptr("pNext"), u32("flags"), u32("queueFamilyIndex"));

    public static final CStruct COMMAND_BUFFER_ALLOCATE_INFO = CStruct.of(
            "VkCommandBufferAllocateInfo",
            u32("sType"),
            ptr("pNext"),
            u64("commandPool"),
            u32("level"),
            u32("commandBufferCount"));

    public static final CStruct COMMAND_BUFFER_BEGIN_INFO =
            CStruct.of("VkCommandBufferBeginInfo", u32("sType"), ptr("pNext"), u32("flags"), ptr("pInheritanceInfo"));

    public static final CStruct MEMORY_BARRIER =
            CStruct.of("VkMemoryBarrier", u32("sType"), ptr("pNext"), u32("srcAccessMask"), u32("dstAccessMask"));

    public static final CStruct BUFFER_COPY =
            CStruct.of("VkBufferCopy", u64("srcOffset"), u64("dstOffset"), u64("size"));

    public static final CStruct SUBMIT_INFO = CStruct.of(
            "VkSubmitInfo",
            u32("sType"),
            ptr("pNext"),
            u32("waitSemaphoreCount"),
            ptr("pWaitSemaphores"),
            ptr("pWaitDstStageMask"),
            u32("commandBufferCount"),
            ptr("pCommandBuffers"),
            u32("signalSemaphoreCount"),
            ptr("pSignalSemaphores"));

    public static final CStruct FENCE_CREATE_INFO =
            CStruct.of("VkFenceCreateInfo", u32("sType"), ptr("pNext"), u32("flags"));

    public static final CStruct QUERY_POOL_CREATE_INFO = CStruct.of(
            "VkQueryPoolCreateInfo",
            u32("sType"),
            ptr("pNext"),
            u32("flags"),
            u32("queryType"),
            u32("queryCount"),
            u32("pipelineStatistics"));

    /** Every struct above, for the layout test. */
    public static final List<CStruct> ALL = List.of(
            APPLICATION_INFO,
            INSTANCE_CREATE_INFO,
            EXTENSION_PROPERTIES,
            PHYSICAL_DEVICE_LIMITS,
            PHYSICAL_DEVICE_SPARSE_PROPERTIES,
            PHYSICAL_DEVICE_PROPERTIES,
            PHYSICAL_DEVICE_PROPERTIES_2,
            PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
            EXTENT_3D,
            QUEUE_FAMILY_PROPERTIES,
            MEMORY_TYPE,
            MEMORY_HEAP,
            PHYSICAL_DEVICE_MEMORY_PROPERTIES,
            DEVICE_QUEUE_CREATE_INFO,
            DEVICE_CREATE_INFO,
            BUFFER_CREATE_INFO,
            MEMORY_REQUIREMENTS,
            MEMORY_ALLOCATE_INFO,
            DESCRIPTOR_SET_LAYOUT_BINDING,
            DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
            PUSH_CONSTANT_RANGE,
            PIPELINE_LAYOUT_CREATE_INFO,
            SHADER_MODULE_CREATE_INFO,
            SPECIALIZATION_MAP_ENTRY,
            SPECIALIZATION_INFO,
            PIPELINE_SHADER_STAGE_CREATE_INFO,
            COMPUTE_PIPELINE_CREATE_INFO,
            DESCRIPTOR_POOL_SIZE,
            DESCRIPTOR_POOL_CREATE_INFO,
            DESCRIPTOR_SET_ALLOCATE_INFO,
            DESCRIPTOR_BUFFER_INFO,
            WRITE_DESCRIPTOR_SET,
            COMMAND_POOL_CREATE_INFO,
            COMMAND_BUFFER_ALLOCATE_INFO,
            COMMAND_BUFFER_BEGIN_INFO,
            MEMORY_BARRIER,
            BUFFER_COPY,
            SUBMIT_INFO,
            FENCE_CREATE_INFO,
            QUERY_POOL_CREATE_INFO);
}
