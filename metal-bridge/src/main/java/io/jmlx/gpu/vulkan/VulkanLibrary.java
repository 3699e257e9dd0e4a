package io.jmlx.gpu.vulkan;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Vulkan loader (or an ICD such as MoltenVK that exports {@code vkGetInstanceProcAddr} itself), opened with
 * FFM. Search order: {@code -Djmlx.vulkan.library}, then {@code JMLX_VULKAN_LIBRARY} (a file name or path; when
 * set, only that is tried), then the platform's loader ({@code libvulkan.so.1} on Linux, {@code vulkan-1.dll}
 * on Windows; on macOS {@code libvulkan.1.dylib} and {@code libMoltenVK.dylib} from the library path, Homebrew
 * and {@code $VULKAN_SDK}), then on macOS the MoltenVK that LWJGL's natives jar puts on the class path,
 * extracted once to {@link BundledLibrary#cacheRoot()}.
 */
public final class VulkanLibrary {
    /** System property naming the Vulkan library to load. */
    public static final String PROPERTY = "jmlx.vulkan.library";
    /** Environment variable naming the Vulkan library to load (after the property). */
    public static final String ENV = "JMLX_VULKAN_LIBRARY";

    /** One place the search looks: a description for messages and a way to obtain a path or library name. */
    record Candidate(String description, Supplier<Optional<String>> location) {}

    private static final Linker LINKER = Linker.nativeLinker();

    private final String location;
    private final MethodHandle getInstanceProcAddr;

    private VulkanLibrary(String location, MemorySegment getInstanceProcAddr) {
        this.location = location;
        this.getInstanceProcAddr = LINKER.downcallHandle(
                getInstanceProcAddr,
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    /** The file or name that was loaded. */
    public String location() {
        return location;
    }

    /**
     * Loads the first library of the search order that opens and exports {@code vkGetInstanceProcAddr}.
     *
     * @throws VulkanUnavailableException naming every place tried and why each failed
     */
    public static VulkanLibrary load() {
        List<Candidate> candidates = candidates(
                System.getProperty(PROPERTY),
                System.getenv(ENV),
                System.getProperty("os.name", ""),
                System.getProperty("os.arch", ""),
                System.getenv("VULKAN_SDK"));
        List<String> tried = new ArrayList<>();
        for (Candidate c : candidates) {
            Optional<String> where;
            try {
                where = c.location().get();
            } catch (RuntimeException e) {
                tried.add(c.description() + " (" + e.getMessage() + ")");
                continue;
            }
            if (where.isEmpty()) {
                tried.add(c.description() + " (not present)");
                continue;
            }
            try {
                SymbolLookup lookup = SymbolLookup.libraryLookup(where.get(), Arena.global());
                Optional<MemorySegment> gipa = lookup.find("vkGetInstanceProcAddr");
                if (gipa.isEmpty()) {
                    tried.add(where.get() + " (loads but does not export vkGetInstanceProcAddr)");
                    continue;
                }
                return new VulkanLibrary(where.get(), gipa.get());
            } catch (IllegalArgumentException e) {
                tried.add(where.get() + " (cannot be loaded)");
            }
        }
        throw new VulkanUnavailableException("no Vulkan library found; tried " + String.join(", ", tried)
                + ". Install a Vulkan loader and driver (Debian/Ubuntu: apt-get install libvulkan1 "
                + "mesa-vulkan-drivers) or name one with -D" + PROPERTY + " or " + ENV);
    }

    /** The search order for the given settings and platform (package-private for the tests). */
    static List<Candidate> candidates(String property, String env, String osName, String osArch, String vulkanSdk) {
        List<Candidate> out = new ArrayList<>();
        if (property != null && !property.isBlank()) {
            out.add(fixed("-D" + PROPERTY + "=" + property, property));
            return out;
        }
        if (env != null && !env.isBlank()) {
            out.add(fixed(ENV + "=" + env, env));
            return out;
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            List<String> dirs = new ArrayList<>(List.of("/opt/homebrew/lib", "/usr/local/lib"));
            if (vulkanSdk != null && !vulkanSdk.isBlank()) {
                dirs.add(0, Path.of(vulkanSdk, "lib").toString());
            }
            for (String file : List.of("libvulkan.1.dylib", "libMoltenVK.dylib")) {
                out.add(fixed(file, file));
                for (String dir : dirs) {
                    String path = Path.of(dir, file).toString();
                    out.add(new Candidate(
                            path,
                            () -> Optional.of(path)
                                    .filter(p -> Path.of(p).toFile().isFile())));
                }
            }
            BundledLibrary.moltenVkResource(osArch)
                    .ifPresent(resource -> out.add(new Candidate(
                            "MoltenVK from the class path (org.lwjgl:lwjgl-vulkan natives, " + resource + ")",
                            () -> BundledLibrary.extract(
                                            VulkanLibrary.class.getClassLoader(), resource, BundledLibrary.cacheRoot())
                                    .map(Path::toString))));
        } else if (os.contains("win")) {
            out.add(fixed("vulkan-1.dll", "vulkan-1.dll"));
        } else {
            out.add(fixed("libvulkan.so.1", "libvulkan.so.1"));
            out.add(fixed("libvulkan.so", "libvulkan.so"));
        }
        return out;
    }

    private static Candidate fixed(String description, String nameOrPath) {
        return new Candidate(description, () -> Optional.of(nameOrPath));
    }

    /** {@code vkGetInstanceProcAddr(instance, name)}: the address, or {@link MemorySegment#NULL} when absent. */
    public MemorySegment getInstanceProcAddr(MemorySegment instance, String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (MemorySegment) getInstanceProcAddr.invokeExact(instance, arena.allocateFrom(name));
        } catch (Throwable t) {
            throw new VulkanException("vkGetInstanceProcAddr(" + name + ") failed", t);
        }
    }
}
