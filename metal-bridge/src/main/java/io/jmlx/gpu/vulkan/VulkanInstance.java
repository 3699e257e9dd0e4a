package io.jmlx.gpu.vulkan;

import static io.jmlx.gpu.vulkan.VkStructs.APPLICATION_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.EXTENSION_PROPERTIES;
import static io.jmlx.gpu.vulkan.VkStructs.INSTANCE_CREATE_INFO;
import static io.jmlx.gpu.vulkan.VkStructs.MEMORY_HEAP;
import static io.jmlx.gpu.vulkan.VkStructs.MEMORY_TYPE;
import static io.jmlx.gpu.vulkan.VkStructs.PHYSICAL_DEVICE_MEMORY_PROPERTIES;
import static io.jmlx.gpu.vulkan.VkStructs.PHYSICAL_DEVICE_PROPERTIES_2;
import static io.jmlx.gpu.vulkan.VkStructs.PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
import static io.jmlx.gpu.vulkan.VkStructs.QUEUE_FAMILY_PROPERTIES;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Vulkan 1.1 instance with the physical devices it reports. {@code VK_KHR_portability_enumeration} is enabled
 * when the loader offers it, so that portability drivers (MoltenVK) are listed. Validation layers are the loader's
 * business: set {@code VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation}.
 */
public final class VulkanInstance implements AutoCloseable {
    private final VulkanLibrary library;
    private final MemorySegment handle;
    private final InstanceFunctions functions;
    private final List<PhysicalDevice> devices;
    private final boolean portability;
    private boolean closed;

    private VulkanInstance(VulkanLibrary library, MemorySegment handle, boolean portability) {
        this.library = library;
        this.handle = handle;
        this.portability = portability;
        this.functions = new InstanceFunctions(
                new FunctionResolver(name -> library.getInstanceProcAddr(handle, name), "vkGetInstanceProcAddr"));
        this.devices = List.copyOf(enumerateDevices());
    }

    /** Creates an instance on {@code library}. */
    public static VulkanInstance create(VulkanLibrary library) {
        FunctionResolver global = new FunctionResolver(
                name -> library.getInstanceProcAddr(MemorySegment.NULL, name),
                "vkGetInstanceProcAddr(NULL) of " + library.location());
        MethodHandle enumerateVersion = global.resolveOptional(
                "vkEnumerateInstanceVersion", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle enumerateExtensions = global.resolve(
                "vkEnumerateInstanceExtensionProperties",
                FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        MethodHandle createInstance = global.resolve(
                "vkCreateInstance",
                FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            if (enumerateVersion == null) {
                throw new VulkanUnavailableException(library.location() + " is a Vulkan 1.0 loader; jmlx needs 1.1");
            }
            MemorySegment version = arena.allocate(ValueLayout.JAVA_INT);
            VulkanException.check((int) enumerateVersion.invokeExact(version), "vkEnumerateInstanceVersion");
            int instanceVersion = version.get(ValueLayout.JAVA_INT, 0);
            if (Integer.compareUnsigned(instanceVersion, Vk.apiVersion(1, 1)) < 0) {
                throw new VulkanUnavailableException(library.location() + " supports Vulkan "
                        + Vk.versionString(instanceVersion) + "; jmlx needs 1.1");
            }
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            VulkanException.check(
                    (int) enumerateExtensions.invokeExact(MemorySegment.NULL, count, MemorySegment.NULL),
                    "vkEnumerateInstanceExtensionProperties");
            int n = count.get(ValueLayout.JAVA_INT, 0);
            MemorySegment props = EXTENSION_PROPERTIES.allocate(arena, Math.max(n, 1));
            VulkanException.check(
                    (int) enumerateExtensions.invokeExact(MemorySegment.NULL, count, props),
                    "vkEnumerateInstanceExtensionProperties");
            boolean portability = false;
            for (int i = 0; i < count.get(ValueLayout.JAVA_INT, 0); i++) {
                String ext = EXTENSION_PROPERTIES.getString(EXTENSION_PROPERTIES.at(props, i), "extensionName");
                portability |= ext.equals(Vk.KHR_PORTABILITY_ENUMERATION);
            }

            MemorySegment app = APPLICATION_INFO.allocate(arena);
            APPLICATION_INFO.setInt(app, "sType", Vk.STRUCTURE_TYPE_APPLICATION_INFO);
            APPLICATION_INFO.setAddress(app, "pApplicationName", arena.allocateFrom("jmlx"));
            APPLICATION_INFO.setAddress(app, "pEngineName", arena.allocateFrom("jmlx-metal-bridge"));
            APPLICATION_INFO.setInt(app, "apiVersion", Vk.apiVersion(1, 1));
            MemorySegment info = INSTANCE_CREATE_INFO.allocate(arena);
            INSTANCE_CREATE_INFO.setInt(info, "sType", Vk.STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
            INSTANCE_CREATE_INFO.setAddress(info, "pApplicationInfo", app);
            if (portability) {
                INSTANCE_CREATE_INFO.setInt(info, "flags", Vk.INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR);
                INSTANCE_CREATE_INFO.setInt(info, "enabledExtensionCount", 1);
                INSTANCE_CREATE_INFO.setAddress(
                        info,
                        "ppEnabledExtensionNames",
                        arena.allocateFrom(ValueLayout.ADDRESS, arena.allocateFrom(Vk.KHR_PORTABILITY_ENUMERATION)));
            }
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int result = (int) createInstance.invokeExact(info, MemorySegment.NULL, out);
            if (result < 0) {
                throw new VulkanUnavailableException("vkCreateInstance on " + library.location() + " returned "
                        + VulkanException.resultName(result)
                        + (result == -9
                                ? ": the loader found no Vulkan driver "
                                        + "(install one, e.g. apt-get install mesa-vulkan-drivers, or point VK_ICD_FILENAMES at its "
                                        + "JSON file)"
                                : ""));
            }
            return new VulkanInstance(library, out.get(ValueLayout.ADDRESS, 0), portability);
        } catch (VulkanException e) {
            throw e;
        } catch (Throwable t) {
            throw new VulkanException("creating a Vulkan instance on " + library.location() + " failed", t);
        }
    }

    /** The loader library this instance runs on. */
    public VulkanLibrary library() {
        return library;
    }

    /** The {@code VkInstance}. */
    public MemorySegment handle() {
        return handle;
    }

    /** The instance-level functions. */
    public InstanceFunctions functions() {
        return functions;
    }

    /** Whether {@code VK_KHR_portability_enumeration} was enabled. */
    public boolean portabilityEnumeration() {
        return portability;
    }

    /** Every physical device, in the driver's order. */
    public List<PhysicalDevice> devices() {
        return devices;
    }

    private List<PhysicalDevice> enumerateDevices() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            VulkanException.check(
                    functions.vkEnumeratePhysicalDevices(handle, count, MemorySegment.NULL),
                    "vkEnumeratePhysicalDevices");
            int n = count.get(ValueLayout.JAVA_INT, 0);
            MemorySegment handles = arena.allocate(ValueLayout.ADDRESS, Math.max(n, 1));
            VulkanException.check(
                    functions.vkEnumeratePhysicalDevices(handle, count, handles), "vkEnumeratePhysicalDevices");
            List<PhysicalDevice> out = new ArrayList<>();
            for (int i = 0; i < count.get(ValueLayout.JAVA_INT, 0); i++) {
                out.add(describe(i, handles.getAtIndex(ValueLayout.ADDRESS, i), arena));
            }
            return out;
        }
    }

    private PhysicalDevice describe(int index, MemorySegment pd, Arena arena) {
        MemorySegment subgroup = PHYSICAL_DEVICE_SUBGROUP_PROPERTIES.allocate(arena);
        PHYSICAL_DEVICE_SUBGROUP_PROPERTIES.setInt(
                subgroup, "sType", Vk.STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES);
        MemorySegment props2 = PHYSICAL_DEVICE_PROPERTIES_2.allocate(arena);
        PHYSICAL_DEVICE_PROPERTIES_2.setInt(props2, "sType", Vk.STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
        PHYSICAL_DEVICE_PROPERTIES_2.setAddress(props2, "pNext", subgroup);
        functions.vkGetPhysicalDeviceProperties2(pd, props2);
        CStruct p = PHYSICAL_DEVICE_PROPERTIES_2;
        int[] groupCount = {
            p.getInt(props2, "properties.limits.maxComputeWorkGroupCount", 0),
            p.getInt(props2, "properties.limits.maxComputeWorkGroupCount", 1),
            p.getInt(props2, "properties.limits.maxComputeWorkGroupCount", 2)
        };
        boolean computeSubgroups =
                (PHYSICAL_DEVICE_SUBGROUP_PROPERTIES.getInt(subgroup, "supportedStages") & Vk.SHADER_STAGE_COMPUTE_BIT)
                        != 0;

        MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
        functions.vkGetPhysicalDeviceQueueFamilyProperties(pd, count, MemorySegment.NULL);
        int families = count.get(ValueLayout.JAVA_INT, 0);
        MemorySegment queues = QUEUE_FAMILY_PROPERTIES.allocate(arena, Math.max(families, 1));
        functions.vkGetPhysicalDeviceQueueFamilyProperties(pd, count, queues);
        int computeFamily = -1;
        int timestampBits = 0;
        for (int f = 0; f < count.get(ValueLayout.JAVA_INT, 0); f++) {
            MemorySegment q = QUEUE_FAMILY_PROPERTIES.at(queues, f);
            boolean compute = (QUEUE_FAMILY_PROPERTIES.getInt(q, "queueFlags") & Vk.QUEUE_COMPUTE_BIT) != 0
                    && QUEUE_FAMILY_PROPERTIES.getInt(q, "queueCount") > 0;
            int bits = QUEUE_FAMILY_PROPERTIES.getInt(q, "timestampValidBits");
            // The first compute family, or a later one that has timestamps when the first has none.
            if (compute && (computeFamily < 0 || (timestampBits == 0 && bits > 0))) {
                computeFamily = f;
                timestampBits = bits;
            }
        }

        MemorySegment memory = PHYSICAL_DEVICE_MEMORY_PROPERTIES.allocate(arena);
        functions.vkGetPhysicalDeviceMemoryProperties(pd, memory);
        List<Integer> typeFlags = new ArrayList<>();
        List<Long> heapSizes = new ArrayList<>();
        long typesOffset = PHYSICAL_DEVICE_MEMORY_PROPERTIES.offset("memoryTypes");
        long heapsOffset = PHYSICAL_DEVICE_MEMORY_PROPERTIES.offset("memoryHeaps");
        for (int t = 0; t < PHYSICAL_DEVICE_MEMORY_PROPERTIES.getInt(memory, "memoryTypeCount"); t++) {
            MemorySegment type = memory.asSlice(typesOffset + t * MEMORY_TYPE.size(), MEMORY_TYPE.size());
            int heap = MEMORY_TYPE.getInt(type, "heapIndex");
            typeFlags.add(MEMORY_TYPE.getInt(type, "propertyFlags"));
            heapSizes.add(MEMORY_HEAP.getLong(
                    memory.asSlice(heapsOffset + heap * MEMORY_HEAP.size(), MEMORY_HEAP.size()), "size"));
        }

        return new PhysicalDevice(
                index,
                pd,
                p.getString(props2, "properties.deviceName"),
                p.getInt(props2, "properties.deviceType"),
                p.getInt(props2, "properties.apiVersion"),
                p.getInt(props2, "properties.driverVersion"),
                p.getInt(props2, "properties.vendorID"),
                Integer.toUnsignedLong(p.getInt(props2, "properties.limits.maxStorageBufferRange")),
                groupCount,
                p.getInt(props2, "properties.limits.maxComputeWorkGroupInvocations"),
                p.getInt(props2, "properties.limits.maxComputeSharedMemorySize"),
                p.getLong(props2, "properties.limits.minStorageBufferOffsetAlignment"),
                p.getInt(props2, "properties.limits.maxPushConstantsSize"),
                p.getFloat(props2, "properties.limits.timestampPeriod"),
                PHYSICAL_DEVICE_SUBGROUP_PROPERTIES.getInt(subgroup, "subgroupSize"),
                computeSubgroups ? PHYSICAL_DEVICE_SUBGROUP_PROPERTIES.getInt(subgroup, "supportedOperations") : 0,
                computeFamily,
                timestampBits,
                List.copyOf(typeFlags),
                List.copyOf(heapSizes),
                deviceExtensions(pd, arena));
    }

    private Set<String> deviceExtensions(MemorySegment pd, Arena arena) {
        MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
        VulkanException.check(
                functions.vkEnumerateDeviceExtensionProperties(pd, MemorySegment.NULL, count, MemorySegment.NULL),
                "vkEnumerateDeviceExtensionProperties");
        MemorySegment props = EXTENSION_PROPERTIES.allocate(arena, Math.max(count.get(ValueLayout.JAVA_INT, 0), 1));
        VulkanException.check(
                functions.vkEnumerateDeviceExtensionProperties(pd, MemorySegment.NULL, count, props),
                "vkEnumerateDeviceExtensionProperties");
        Set<String> out = new HashSet<>();
        for (int i = 0; i < count.get(ValueLayout.JAVA_INT, 0); i++) {
            out.add(EXTENSION_PROPERTIES.getString(EXTENSION_PROPERTIES.at(props, i), "extensionName"));
        }
        return Set.copyOf(out);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            functions.vkDestroyInstance(handle, MemorySegment.NULL);
        }
    }
}
