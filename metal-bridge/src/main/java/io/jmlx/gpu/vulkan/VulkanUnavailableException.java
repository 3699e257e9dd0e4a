package io.jmlx.gpu.vulkan;

/**
 * Vulkan cannot be used on this machine: no loader library, no instance, or no physical device that can run
 * jmlx's kernels. The message says what was searched and what was found.
 */
public class VulkanUnavailableException extends VulkanException {
    private static final long serialVersionUID = 1L;

    public VulkanUnavailableException(String message) {
        super(message);
    }
}
