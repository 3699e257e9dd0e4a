package io.jmlx.stream;

import io.jmlx.backend.Backend;
import io.jmlx.backend.BackendDevice;
import io.jmlx.backend.DeviceType;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The backends found once per process with {@link ServiceLoader}, in class path order: the first backend of a device
 * type with devices provides that type's devices.
 */
final class Backends {
    private static final List<Backend> ALL = load();

    private Backends() {}

    private static List<Backend> load() {
        List<Backend> found = new ArrayList<>();
        for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            found.add(b);
        }
        return List.copyOf(found);
    }

    /** Every backend found, with or without devices. */
    static List<Backend> all() {
        return ALL;
    }

    /** The backend providing devices of {@code type}, or {@code null}. */
    static Backend of(DeviceType type) {
        for (Backend b : ALL) {
            if (b.deviceType() == type && b.deviceCount() > 0) {
                return b;
            }
        }
        return null;
    }

    /**
     * Device {@code index} of {@code type}.
     *
     * @throws IllegalArgumentException naming the device and what the backends found, when no backend provides it
     */
    static BackendDevice device(DeviceType type, int index) {
        Backend b = of(type);
        if (b == null || index >= b.deviceCount()) {
            throw new IllegalArgumentException("no backend provides device " + type + " " + index + "; found: "
                    + describeAll() + (type == DeviceType.GPU && b == null ? hint() : ""));
        }
        return b.device(index);
    }

    /** One clause per backend, e.g. {@code cpu: vector kernels on 2 threads; vulkan: no Vulkan loader found}. */
    static String describeAll() {
        return ALL.isEmpty()
                ? "no backends (is jmlx-core's META-INF/services missing?)"
                : ALL.stream().map(Backend::describe).collect(Collectors.joining("; "));
    }

    private static String hint() {
        return ". GPUs come from a GPU backend on the class path, such as io.jmlx:jmlx-metal-bridge";
    }
}
