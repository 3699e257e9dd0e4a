package io.jmlx.gpu.vulkan;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Picks the physical device jmlx runs on. Without a choice: the usable device of the best type (discrete GPU, then
 * integrated, virtual, other, and a CPU driver such as lavapipe last), the driver's order breaking ties. With
 * {@code -Djmlx.gpu.device=N} the device at index N; with {@code -Djmlx.gpu.device=text} the first device whose
 * name contains the text (ignoring case). A chosen device that cannot run the kernels is an error, not a fallback.
 */
public final class DeviceChoice {
    /** System property choosing the device by index or by part of its name. */
    public static final String PROPERTY = "jmlx.gpu.device";

    private DeviceChoice() {}

    /**
     * The device to use among {@code devices} for the setting {@code wanted} (null or blank: automatic).
     *
     * @throws VulkanUnavailableException naming every device and why none fits
     */
    public static PhysicalDevice choose(List<PhysicalDevice> devices, String wanted) {
        if (devices.isEmpty()) {
            throw new VulkanUnavailableException("the Vulkan loader reports no physical device (is a driver installed? "
                    + "Debian/Ubuntu: apt-get install mesa-vulkan-drivers)");
        }
        if (wanted != null && !wanted.isBlank()) {
            return chosen(devices, wanted.trim());
        }
        return devices.stream()
                .filter(d -> d.unusableReason() == null)
                .min(Comparator.comparingInt((PhysicalDevice d) -> rank(d.type()))
                        .thenComparingInt(PhysicalDevice::index))
                .orElseThrow(() ->
                        new VulkanUnavailableException("no Vulkan device can run jmlx's kernels: " + list(devices)));
    }

    private static PhysicalDevice chosen(List<PhysicalDevice> devices, String wanted) {
        PhysicalDevice pick = null;
        if (wanted.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(wanted);
            pick = devices.stream().filter(d -> d.index() == index).findFirst().orElse(null);
        } else {
            String needle = wanted.toLowerCase(Locale.ROOT);
            pick = devices.stream()
                    .filter(d -> d.name().toLowerCase(Locale.ROOT).contains(needle))
                    .findFirst()
                    .orElse(null);
        }
        if (pick == null) {
            throw new VulkanUnavailableException(
                    "-D" + PROPERTY + "=" + wanted + " matches no Vulkan device; the devices are: " + list(devices));
        }
        if (pick.unusableReason() != null) {
            throw new VulkanUnavailableException("-D" + PROPERTY + "=" + wanted + " chose " + pick.describe()
                    + ", which cannot run jmlx's kernels: " + pick.unusableReason());
        }
        return pick;
    }

    /** Lower is preferred. */
    private static int rank(int type) {
        return switch (type) {
            case Vk.PHYSICAL_DEVICE_TYPE_DISCRETE_GPU -> 0;
            case Vk.PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU -> 1;
            case Vk.PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU -> 2;
            case Vk.PHYSICAL_DEVICE_TYPE_CPU -> 4;
            default -> 3;
        };
    }

    private static String list(List<PhysicalDevice> devices) {
        return devices.stream()
                .map(d -> d.describe() + (d.unusableReason() == null ? "" : " [unusable: " + d.unusableReason() + "]"))
                .collect(Collectors.joining("; "));
    }
}
