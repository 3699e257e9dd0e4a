package io.jmlx.cli;

import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code --device} option of the commands that compute (a picocli mixin): the device whose default stream runs
 * their ops. The quantization commands write the same bytes on either.
 */
final class DeviceOption {
    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "DEVICE",
            description = "cpu or gpu: where the ops run (default: ${DEFAULT-VALUE}). gpu needs jmlx's Vulkan backend "
                    + "and a Vulkan device.")
    String device;

    /** Makes the chosen device's default stream the thread's until the scope is closed. */
    Stream.Scope use() {
        Device d = switch (device.toLowerCase(Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu" -> gpu();
            default -> throw CommandFailure.usage("--device must be cpu or gpu, not '" + device + "'");
        };
        return Stream.use(d);
    }

    private static Device gpu() {
        try {
            return Device.gpu();
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("--device gpu: " + e.getMessage(), e);
        }
    }
}
