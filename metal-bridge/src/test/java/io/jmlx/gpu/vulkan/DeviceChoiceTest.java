package io.jmlx.gpu.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which device jmlx picks, and the messages when none fits (device descriptions as the driver would report them). */
class DeviceChoiceTest {
    private static final int ARITHMETIC = Vk.SUBGROUP_FEATURE_BASIC_BIT | Vk.SUBGROUP_FEATURE_ARITHMETIC_BIT;

    private static PhysicalDevice device(int index, String name, int type, int subgroupOps) {
        return new PhysicalDevice(
                index,
                MemorySegment.NULL,
                name,
                type,
                Vk.apiVersion(1, 3),
                0,
                0,
                1L << 27,
                new int[] {65535, 65535, 65535},
                1024,
                32768,
                16,
                128,
                1f,
                32,
                subgroupOps,
                0,
                64,
                List.of(15),
                List.of(1L << 30),
                Set.of());
    }

    private final List<PhysicalDevice> devices = List.of(
            device(0, "llvmpipe (LLVM 15.0.6, 256 bits)", Vk.PHYSICAL_DEVICE_TYPE_CPU, ARITHMETIC),
            device(1, "Intel(R) UHD Graphics 620", Vk.PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU, ARITHMETIC),
            device(
                    2,
                    "Old GPU without subgroup arithmetic",
                    Vk.PHYSICAL_DEVICE_TYPE_DISCRETE_GPU,
                    Vk.SUBGROUP_FEATURE_BASIC_BIT),
            device(3, "NVIDIA GeForce RTX 4090", Vk.PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, ARITHMETIC));

    @Test
    void prefersDiscreteThenIntegratedGpusOverCpuDrivers() {
        assertEquals(3, DeviceChoice.choose(devices, null).index());
        assertEquals(1, DeviceChoice.choose(devices.subList(0, 3), "").index());
        assertEquals(0, DeviceChoice.choose(devices.subList(0, 1), null).index());
    }

    @Test
    void choosesByIndexOrByPartOfTheName() {
        assertEquals(0, DeviceChoice.choose(devices, "0").index());
        assertEquals(1, DeviceChoice.choose(devices, "uhd").index());
        assertEquals(0, DeviceChoice.choose(devices, " LLVMPIPE ").index());
    }

    @Test
    void explainsWhatWasFoundWhenNothingFits() {
        VulkanUnavailableException none =
                assertThrows(VulkanUnavailableException.class, () -> DeviceChoice.choose(List.of(), null));
        assertTrue(none.getMessage().contains("reports no physical device"), none.getMessage());
        VulkanUnavailableException missing =
                assertThrows(VulkanUnavailableException.class, () -> DeviceChoice.choose(devices, "radeon"));
        assertTrue(
                missing.getMessage().contains("-Djmlx.gpu.device=radeon matches no Vulkan device")
                        && missing.getMessage().contains("#3 NVIDIA GeForce RTX 4090 (discrete GPU, Vulkan 1.3.0)"),
                missing.getMessage());
        VulkanUnavailableException unusable =
                assertThrows(VulkanUnavailableException.class, () -> DeviceChoice.choose(devices, "2"));
        assertTrue(
                unusable.getMessage().endsWith("cannot run jmlx's kernels: no subgroup arithmetic in compute shaders"),
                unusable.getMessage());
        VulkanUnavailableException allUnusable =
                assertThrows(VulkanUnavailableException.class, () -> DeviceChoice.choose(devices.subList(2, 3), null));
        assertTrue(allUnusable.getMessage().contains("[unusable: no subgroup arithmetic"), allUnusable.getMessage());
    }
}
