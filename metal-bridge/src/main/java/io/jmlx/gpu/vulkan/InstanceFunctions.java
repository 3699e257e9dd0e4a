package io.jmlx.gpu.vulkan;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The instance-level Vulkan functions jmlx calls, resolved through {@code vkGetInstanceProcAddr}. */
public final class InstanceFunctions {
    private final MethodHandle vkDestroyInstance;
    private final MethodHandle vkEnumeratePhysicalDevices;
    private final MethodHandle vkGetPhysicalDeviceProperties2;
    private final MethodHandle vkGetPhysicalDeviceQueueFamilyProperties;
    private final MethodHandle vkGetPhysicalDeviceMemoryProperties;
    private final MethodHandle vkEnumerateDeviceExtensionProperties;
    private final MethodHandle vkCreateDevice;
    private final MethodHandle vkGetDeviceProcAddr;

    InstanceFunctions(FunctionResolver resolver) {
        vkDestroyInstance = resolver.resolve("vkDestroyInstance", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        vkEnumeratePhysicalDevices = resolver.resolve(
                "vkEnumeratePhysicalDevices", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        vkGetPhysicalDeviceProperties2 =
                resolver.resolve("vkGetPhysicalDeviceProperties2", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        vkGetPhysicalDeviceQueueFamilyProperties = resolver.resolve(
                "vkGetPhysicalDeviceQueueFamilyProperties", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        vkGetPhysicalDeviceMemoryProperties =
                resolver.resolve("vkGetPhysicalDeviceMemoryProperties", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        vkEnumerateDeviceExtensionProperties = resolver.resolve(
                "vkEnumerateDeviceExtensionProperties",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkCreateDevice =
                resolver.resolve("vkCreateDevice", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        vkGetDeviceProcAddr = resolver.resolve("vkGetDeviceProcAddr", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }

    public void vkDestroyInstance(MemorySegment instance, MemorySegment allocator) {
        try {
            vkDestroyInstance.invokeExact(instance, allocator);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkDestroyInstance", t);
        }
    }

    public int vkEnumeratePhysicalDevices(MemorySegment instance, MemorySegment count, MemorySegment devices) {
        try {
            return (int) vkEnumeratePhysicalDevices.invokeExact(instance, count, devices);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkEnumeratePhysicalDevices", t);
        }
    }

    public void vkGetPhysicalDeviceProperties2(MemorySegment physicalDevice, MemorySegment properties) {
        try {
            vkGetPhysicalDeviceProperties2.invokeExact(physicalDevice, properties);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkGetPhysicalDeviceProperties2", t);
        }
    }

    public void vkGetPhysicalDeviceQueueFamilyProperties(
            MemorySegment physicalDevice, MemorySegment count, MemorySegment properties) {
        try {
            vkGetPhysicalDeviceQueueFamilyProperties.invokeExact(physicalDevice, count, properties);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkGetPhysicalDeviceQueueFamilyProperties", t);
        }
    }

    public void vkGetPhysicalDeviceMemoryProperties(MemorySegment physicalDevice, MemorySegment properties) {
        try {
            vkGetPhysicalDeviceMemoryProperties.invokeExact(physicalDevice, properties);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkGetPhysicalDeviceMemoryProperties", t);
        }
    }

    public int vkEnumerateDeviceExtensionProperties(
            MemorySegment physicalDevice, MemorySegment layerName, MemorySegment count, MemorySegment properties) {
        try {
            return (int) vkEnumerateDeviceExtensionProperties.invokeExact(physicalDevice, layerName, count, properties);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkEnumerateDeviceExtensionProperties", t);
        }
    }

    public int vkCreateDevice(
            MemorySegment physicalDevice, MemorySegment createInfo, MemorySegment allocator, MemorySegment device) {
        try {
            return (int) vkCreateDevice.invokeExact(physicalDevice, createInfo, allocator, device);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkCreateDevice", t);
        }
    }

    public MemorySegment vkGetDeviceProcAddr(MemorySegment device, MemorySegment name) {
        try {
            return (MemorySegment) vkGetDeviceProcAddr.invokeExact(device, name);
        } catch (Throwable t) {
            throw VulkanCalls.failed("vkGetDeviceProcAddr", t);
        }
    }
}
