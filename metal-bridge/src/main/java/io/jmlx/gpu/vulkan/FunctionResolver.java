package io.jmlx.gpu.vulkan;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.function.Function;

/**
 * Turns Vulkan function names into downcall handles through a {@code vkGet*ProcAddr}: a name the driver does not
 * provide is a {@link VulkanException} naming the function and where it was looked up, never a call through NULL.
 */
final class FunctionResolver {
    private static final Linker LINKER = Linker.nativeLinker();

    private final Function<String, MemorySegment> procAddr;
    private final String scope;

    /**
     * @param procAddr the {@code vkGet*ProcAddr} to ask
     * @param scope    what is asked, for messages, e.g. {@code vkGetDeviceProcAddr of "llvmpipe"}
     */
    FunctionResolver(Function<String, MemorySegment> procAddr, String scope) {
        this.procAddr = procAddr;
        this.scope = scope;
    }

    /** The handle of {@code name}, or a {@link VulkanException} when it is missing. */
    MethodHandle resolve(String name, FunctionDescriptor descriptor) {
        MemorySegment address = procAddr.apply(name);
        if (address == null || address.equals(MemorySegment.NULL)) {
            throw new VulkanException("the Vulkan driver does not provide " + name + " (" + scope
                    + " returned NULL); jmlx needs Vulkan 1.1 compute");
        }
        return LINKER.downcallHandle(address, descriptor);
    }

    /** The handle of {@code name}, or null when the driver does not provide it (for optional functions). */
    MethodHandle resolveOptional(String name, FunctionDescriptor descriptor) {
        MemorySegment address = procAddr.apply(name);
        return address == null || address.equals(MemorySegment.NULL)
                ? null
                : LINKER.downcallHandle(address, descriptor);
    }
}
