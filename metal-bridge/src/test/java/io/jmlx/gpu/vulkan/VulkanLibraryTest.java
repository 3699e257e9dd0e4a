package io.jmlx.gpu.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.gpu.testing.TestGpu;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the Vulkan library is looked for, MoltenVK's extraction from a jar, and missing functions. */
class VulkanLibraryTest {

    private static List<String> descriptions(String property, String env, String os, String arch, String sdk) {
        return VulkanLibrary.candidates(property, env, os, arch, sdk).stream()
                .map(VulkanLibrary.Candidate::description)
                .toList();
    }

    @Test
    void searchOrderPerPlatform() {
        assertEquals(List.of("libvulkan.so.1", "libvulkan.so"), descriptions(null, null, "Linux", "amd64", null));
        assertEquals(List.of("vulkan-1.dll"), descriptions(null, null, "Windows 11", "amd64", null));
        assertEquals(
                List.of("-Djmlx.vulkan.library=/opt/x/libvulkan.so"),
                descriptions("/opt/x/libvulkan.so", "/ignored", "Linux", "amd64", null));
        assertEquals(
                List.of("JMLX_VULKAN_LIBRARY=/env/libMoltenVK.dylib"),
                descriptions(null, "/env/libMoltenVK.dylib", "Mac OS X", "aarch64", null));
        List<String> mac = descriptions(null, null, "Mac OS X", "aarch64", "/sdk");
        assertEquals(
                List.of(
                        "libvulkan.1.dylib",
                        "/sdk/lib/libvulkan.1.dylib",
                        "/opt/homebrew/lib/libvulkan.1.dylib",
                        "/usr/local/lib/libvulkan.1.dylib",
                        "libMoltenVK.dylib",
                        "/sdk/lib/libMoltenVK.dylib",
                        "/opt/homebrew/lib/libMoltenVK.dylib",
                        "/usr/local/lib/libMoltenVK.dylib",
                        "MoltenVK from the class path (org.lwjgl:lwjgl-vulkan natives, macos/arm64/org/lwjgl/vulkan/libMoltenVK.dylib)"),
                mac);
    }

    @Test
    void aNamedLibraryThatDoesNotLoadIsAClearError() {
        String previous = System.getProperty(VulkanLibrary.PROPERTY);
        System.setProperty(VulkanLibrary.PROPERTY, "/nonexistent/libvulkan-jmlx-test.so");
        try {
            VulkanUnavailableException e = assertThrows(VulkanUnavailableException.class, VulkanLibrary::load);
            assertTrue(
                    e.getMessage()
                            .startsWith("no Vulkan library found; tried /nonexistent/libvulkan-jmlx-test.so "
                                    + "(cannot be loaded)"),
                    e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(VulkanLibrary.PROPERTY);
            } else {
                System.setProperty(VulkanLibrary.PROPERTY, previous);
            }
        }
    }

    @Test
    void aBundledLibraryIsExtractedOnceIntoTheCache(@TempDir Path dir) throws Exception {
        Path jarRoot = dir.resolve("classes/macos/arm64/org/lwjgl/vulkan");
        Files.createDirectories(jarRoot);
        Files.write(jarRoot.resolve("libMoltenVK.dylib"), new byte[] {1, 2, 3, 4});
        String resource = BundledLibrary.moltenVkResource("aarch64").orElseThrow();
        Path cache = dir.resolve("cache");
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()}, null)) {
            Path first = BundledLibrary.extract(loader, resource, cache).orElseThrow();
            long modified = Files.getLastModifiedTime(first).toMillis();
            Path second = BundledLibrary.extract(loader, resource, cache).orElseThrow();
            assertEquals(first, second);
            assertEquals(modified, Files.getLastModifiedTime(second).toMillis(), "extracted once");
            assertTrue(
                    first.startsWith(cache.resolve("libMoltenVK")) && first.endsWith("libMoltenVK.dylib"),
                    first.toString());
            assertEquals(4, Files.size(first));
            assertTrue(BundledLibrary.extract(loader, "macos/x64/org/lwjgl/vulkan/libMoltenVK.dylib", cache)
                    .isEmpty());
        }
    }

    @Test
    void aMissingDeviceFunctionIsAClearErrorNotACrash() {
        VulkanDevice device = TestGpu.get().device();
        FunctionResolver resolver = new FunctionResolver(
                name -> {
                    try (var arena = java.lang.foreign.Arena.ofConfined()) {
                        return device.instance()
                                .functions()
                                .vkGetDeviceProcAddr(device.handle(), arena.allocateFrom(name));
                    }
                },
                "vkGetDeviceProcAddr of " + device.physical().name());
        VulkanException e = assertThrows(
                VulkanException.class,
                () -> resolver.resolve("vkCmdJmlxDoesNotExist", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)));
        assertTrue(
                e.getMessage()
                        .startsWith("the Vulkan driver does not provide vkCmdJmlxDoesNotExist "
                                + "(vkGetDeviceProcAddr of "),
                e.getMessage());
        assertEquals(
                4,
                resolver.resolve(
                                "vkCmdDispatch",
                                FunctionDescriptor.ofVoid(
                                        ValueLayout.ADDRESS,
                                        ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT,
                                        ValueLayout.JAVA_INT))
                        .type()
                        .parameterCount(),
                "an existing function resolves to a handle of its descriptor");
        assertEquals(
                MemorySegment.NULL,
                device.instance().library().getInstanceProcAddr(MemorySegment.NULL, "vkJmlxNoSuchGlobalFunction"));
    }

    @Test
    void resultCodesAreNamed() {
        VulkanException e = assertThrows(VulkanException.class, () -> VulkanException.check(-4, "vkQueueSubmit"));
        assertEquals("vkQueueSubmit returned VK_ERROR_DEVICE_LOST (-4)", e.getMessage());
        assertEquals(5, VulkanException.check(Vk.INCOMPLETE, "vkEnumeratePhysicalDevices"));
    }
}
