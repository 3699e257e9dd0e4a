package io.jmlx.backend;

/** Kinds of device an op can run on, as MLX's {@code mx.cpu} and {@code mx.gpu}. */
public enum DeviceType {
    CPU,
    GPU;

    /** Lower-case name, as MLX prints it. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
