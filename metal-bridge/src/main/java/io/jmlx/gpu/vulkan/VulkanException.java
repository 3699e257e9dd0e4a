package io.jmlx.gpu.vulkan;

import java.util.Map;

/**
 * A Vulkan call failed, or Vulkan cannot be used: the message names the call and the {@code VkResult} by its C
 * name (e.g. {@code vkAllocateMemory returned VK_ERROR_OUT_OF_DEVICE_MEMORY (-2)}).
 */
public class VulkanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private static final Map<Integer, String> RESULTS = Map.ofEntries(
            Map.entry(0, "VK_SUCCESS"),
            Map.entry(1, "VK_NOT_READY"),
            Map.entry(2, "VK_TIMEOUT"),
            Map.entry(3, "VK_EVENT_SET"),
            Map.entry(4, "VK_EVENT_RESET"),
            Map.entry(5, "VK_INCOMPLETE"),
            Map.entry(-1, "VK_ERROR_OUT_OF_HOST_MEMORY"),
            Map.entry(-2, "VK_ERROR_OUT_OF_DEVICE_MEMORY"),
            Map.entry(-3, "VK_ERROR_INITIALIZATION_FAILED"),
            Map.entry(-4, "VK_ERROR_DEVICE_LOST"),
            Map.entry(-5, "VK_ERROR_MEMORY_MAP_FAILED"),
            Map.entry(-6, "VK_ERROR_LAYER_NOT_PRESENT"),
            Map.entry(-7, "VK_ERROR_EXTENSION_NOT_PRESENT"),
            Map.entry(-8, "VK_ERROR_FEATURE_NOT_PRESENT"),
            Map.entry(-9, "VK_ERROR_INCOMPATIBLE_DRIVER"),
            Map.entry(-10, "VK_ERROR_TOO_MANY_OBJECTS"),
            Map.entry(-11, "VK_ERROR_FORMAT_NOT_SUPPORTED"),
            Map.entry(-12, "VK_ERROR_FRAGMENTED_POOL"),
            Map.entry(-13, "VK_ERROR_UNKNOWN"),
            Map.entry(-1000069000, "VK_ERROR_OUT_OF_POOL_MEMORY"),
            Map.entry(-1000072003, "VK_ERROR_INVALID_EXTERNAL_HANDLE"),
            Map.entry(-1000161000, "VK_ERROR_FRAGMENTATION"),
            Map.entry(-1000257000, "VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS"),
            Map.entry(1000297000, "VK_PIPELINE_COMPILE_REQUIRED"),
            Map.entry(-1000011001, "VK_ERROR_VALIDATION_FAILED_EXT"),
            Map.entry(-1000012000, "VK_ERROR_INVALID_SHADER_NV"));

    public VulkanException(String message) {
        super(message);
    }

    public VulkanException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The C name of a {@code VkResult}, e.g. {@code VK_ERROR_DEVICE_LOST (-4)}. */
    public static String resultName(int result) {
        return RESULTS.getOrDefault(result, "VkResult") + " (" + result + ")";
    }

    /**
     * Returns {@code result} when it is {@code VK_SUCCESS} (or another non-error code), and throws naming
     * {@code call} otherwise.
     */
    public static int check(int result, String call) {
        if (result < 0) {
            throw new VulkanException(call + " returned " + resultName(result));
        }
        return result;
    }
}
