package io.jmlx.samples;

import io.jmlx.stream.Device;
import java.util.ArrayList;
import java.util.List;

/**
 * The samples' {@code --device cpu|gpu} option (also {@code --device=gpu}), anywhere among their arguments: the
 * device to run on (default the CPU) and the arguments without it.
 */
public record DeviceArgument(Device device, List<String> rest) {

    /**
     * Splits {@code --device} off {@code args}.
     *
     * @throws IllegalArgumentException for a missing or unknown device name, or a GPU no backend provides
     */
    public static DeviceArgument of(String... args) {
        Device device = Device.cpu();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--device")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--device needs a value: cpu or gpu");
                }
                device = Device.parse(args[++i]);
            } else if (args[i].startsWith("--device=")) {
                device = Device.parse(args[i].substring("--device=".length()));
            } else {
                rest.add(args[i]);
            }
        }
        return new DeviceArgument(device, List.copyOf(rest));
    }

    /** Argument {@code index} after the option was taken out, or {@code fallback}. */
    public String argument(int index, String fallback) {
        return index < rest.size() ? rest.get(index) : fallback;
    }
}
