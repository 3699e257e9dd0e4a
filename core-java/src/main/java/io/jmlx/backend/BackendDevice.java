package io.jmlx.backend;

/** One device of a {@link Backend}: a name, and streams that run ops on it. */
public interface BackendDevice {

    /** The device's name for messages, e.g. {@code cpu} or the GPU's name. */
    String name();

    /** A new stream on this device, as MLX's {@code new_stream}: work submitted to it runs in order. */
    BackendStream newStream(String name);
}
