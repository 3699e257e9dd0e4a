package io.jmlx.gpu.testing;

import io.jmlx.gpu.Gpu;
import io.jmlx.gpu.vulkan.VulkanException;

/** The GPU the tests run on ({@link Gpu#shared()}), or a skip (a failure under {@code CI=true}) when there is none. */
public final class TestGpu {
    private TestGpu() {}

    /** The shared GPU; skips the calling test with one line naming what was searched when Vulkan is unavailable. */
    public static Gpu get() {
        try {
            return Gpu.shared();
        } catch (VulkanException e) {
            Prerequisites.require(false, "no Vulkan device: " + e.getMessage());
            throw e;
        }
    }
}
