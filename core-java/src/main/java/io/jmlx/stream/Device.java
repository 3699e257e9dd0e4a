package io.jmlx.stream;

import io.jmlx.backend.Backend;
import io.jmlx.backend.BackendDevice;
import io.jmlx.backend.DeviceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A device ops can run on, provided by a backend ({@link io.jmlx.backend.Backend}): the CPU is built in; GPUs come
 * from a GPU backend on the class path. Passing a device where an op takes a {@link StreamOrDevice} runs the op on
 * that device's default stream.
 */
public record Device(DeviceType type, int index) implements StreamOrDevice {
    private static final Device CPU = new Device(DeviceType.CPU, 0);
    private static final Map<Device, Stream> DEFAULT_STREAMS = new ConcurrentHashMap<>();

    /**
     * Checks that a backend provides this device.
     *
     * @throws IllegalArgumentException when none does, naming the device and what the backends found
     */
    public Device {
        if (type == null) {
            throw new IllegalArgumentException("device type must not be null");
        }
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0 but is " + index);
        }
        Backends.device(type, index);
    }

    /** The CPU device. */
    public static Device cpu() {
        return CPU;
    }

    /**
     * The first GPU (MLX's {@code mx.gpu}).
     *
     * @throws IllegalArgumentException when no GPU backend provides one, saying which backends were found
     */
    public static Device gpu() {
        return gpu(0);
    }

    /** GPU {@code index}; see {@link #gpu()}. */
    public static Device gpu(int index) {
        return new Device(DeviceType.GPU, index);
    }

    /**
     * The device a name gives, for command lines and configuration: {@code cpu}, {@code gpu}, or {@code gpu:N} (any
     * case).
     *
     * @throws IllegalArgumentException for any other name, or when no backend provides the device (saying which
     *     backends were found)
     */
    public static Device parse(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("cpu")) {
            return cpu();
        }
        if (n.equals("gpu")) {
            return gpu();
        }
        if (n.matches("gpu:[0-9]{1,9}")) {
            return gpu(Integer.parseInt(n.substring(4)));
        }
        throw new IllegalArgumentException("a device is cpu, gpu or gpu:N, not '" + name + "'");
    }

    /** Every device the backends on the class path provide, the CPU first. */
    public static List<Device> available() {
        List<Device> devices = new ArrayList<>();
        for (DeviceType type : DeviceType.values()) {
            Backend b = Backends.of(type);
            for (int i = 0; b != null && i < b.deviceCount(); i++) {
                devices.add(new Device(type, i));
            }
        }
        return List.copyOf(devices);
    }

    /** True when a backend provides a device of {@code type}. */
    public static boolean isAvailable(DeviceType type) {
        return Backends.of(type) != null;
    }

    /** What the backends on the class path found, one clause each (for messages and diagnostics). */
    public static String describeBackends() {
        return Backends.describeAll();
    }

    /** The device's name, e.g. {@code cpu} or the GPU's name. */
    public String name() {
        return backendDevice().name();
    }

    /** The backend's device behind this one. */
    BackendDevice backendDevice() {
        return Backends.device(type, index);
    }

    /** The device ops use when none is given: the device of {@link Stream#defaultStream()}. */
    public static Device defaultDevice() {
        return Stream.defaultStream().device();
    }

    /** This device's default stream (MLX's {@code default_stream(device)}), created on first use. */
    public Stream defaultStream() {
        return DEFAULT_STREAMS.computeIfAbsent(this, Stream::create);
    }

    /** The stream ops given this device run on: the thread's default stream when it is on this device. */
    @Override
    public Stream stream() {
        Stream current = Stream.threadDefault();
        return current != null && current.device().equals(this) ? current : defaultStream();
    }

    @Override
    public String toString() {
        return "Device(" + type + ", " + index + ")";
    }
}
