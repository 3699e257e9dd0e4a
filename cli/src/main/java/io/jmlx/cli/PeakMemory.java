package io.jmlx.cli;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The most memory this process has held: on Linux the kernel's high-water mark of its resident set ({@code VmHWM}
 * in {@code /proc/self/status}: Java heap, native array memory and the touched pages of memory-mapped weights);
 * elsewhere the largest heap plus direct memory in use seen by {@link #sample()}.
 */
final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private long sampled;

    /** Notes the memory in use now (only needed where the kernel keeps no high-water mark). */
    void sample() {
        Runtime r = Runtime.getRuntime();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        sampled = Math.max(sampled, r.totalMemory() - r.freeMemory() + direct);
    }

    /** The peak in bytes, and what it measures. */
    String describe() {
        long hwm = highWaterMark();
        return hwm > 0
                ? "peak memory " + JmlxSubcommand.size(hwm) + " (resident)"
                : "peak memory " + JmlxSubcommand.size(sampled) + " (heap and direct)";
    }

    /** {@code VmHWM} in bytes, or 0 where there is no {@code /proc/self/status}. */
    private static long highWaterMark() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            return 0;
        }
        return 0;
    }
}
