package io.jmlx.gpu.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What the GPU tests need from the machine (a Vulkan device, a C compiler with the Vulkan headers, glslc,
 * spirv-cross): on a developer's machine a missing one skips the tests that need it, with one line (printed once)
 * saying what is missing and how to get it; under {@code CI=true} it fails them, so CI never passes by skipping.
 */
public final class Prerequisites {
    private Prerequisites() {}

    private static final java.util.Set<String> REPORTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** True when the {@code CI} environment variable is {@code true}. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or under CI fails) with {@code why} unless {@code present}. */
    public static void require(boolean present, String why) {
        if (present) {
            return;
        }
        if (ci()) {
            fail(why + " (CI=true: the GPU tests must run)");
        }
        if (REPORTED.add(why)) {
            System.out.println("[jmlx-gpu] skipped: " + why);
        }
        Assumptions.abort(why);
    }
}
