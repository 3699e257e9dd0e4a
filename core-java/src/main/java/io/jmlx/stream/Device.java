package io.jmlx.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A device ops can run on. The CPU device is always there; GPU devices come from a backend plugged in beneath
 * the core (none is bundled yet, so asking for one fails with a clear message). Passing a device where an op
 * takes a {@link StreamOrDevice} runs the op on that device's default stream.
 */
public record Device(DeviceType type, int index) implements StreamOrDevice {
    private static final Device CPU = new Device(DeviceType.CPU, 0);
    private static final Map<Device, Stream> DEFAULT_STREAMS = new ConcurrentHashMap<>();

    /** Validates the index; only CPU 0 exists without a GPU backend. */
    public Device {
        if (type == null) {
            throw new IllegalArgumentException("device type must not be null");
        }
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0 but is " + index);
        }
        if (type == DeviceType.CPU && index != 0) {
            throw new IllegalArgumentException("there is one CPU device, index 0; " + index + " was given");
        }
        if (type == DeviceType.GPU) {
            throw new IllegalArgumentException("no GPU backend is available in this build: use Device.cpu()");
        }
    }

    /** The CPU device. */
    public static Device cpu() {
        return CPU;
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
