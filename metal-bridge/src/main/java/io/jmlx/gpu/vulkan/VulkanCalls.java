package io.jmlx.gpu.vulkan;

/** Failure wrapping for the generated function wrappers. */
final class VulkanCalls {
    private VulkanCalls() {}

    /** A downcall threw (which only happens for linkage problems): a {@link VulkanException} naming the call. */
    static RuntimeException failed(String function, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new VulkanException(function + " could not be called", t);
    }
}
