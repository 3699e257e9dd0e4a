package io.jmlx.backend;

/**
 * A provider of devices beneath the core, found with {@link java.util.ServiceLoader} (declared in a module's
 * {@code provides io.jmlx.backend.Backend}, or in {@code META-INF/services/io.jmlx.backend.Backend} on the class
 * path). The CPU backend is built in; a GPU backend (such as {@code jmlx-metal-bridge}) plugs in by being on the
 * class path. Each backend offers zero or more devices of one {@link DeviceType}; the first backend found for a type
 * numbers its devices from 0.
 *
 * <p>What a backend provides, per device: the kernels of every family ({@link Kernels}), the memory op outputs are
 * allocated in ({@link Memory}: for a GPU, host-visible memory that the CPU reads directly, as MLX's unified memory),
 * and how its streams run work ({@link BackendStream}).
 */
public interface Backend {

    /** A short name for messages, e.g. {@code cpu} or {@code vulkan}. */
    String name();

    /** The kind of device this backend offers. */
    DeviceType deviceType();

    /** How many devices this backend found (0 when none is usable here; {@link #describe()} says why). */
    int deviceCount();

    /** One line about what this backend found, e.g. {@code vulkan: llvmpipe (LLVM 15.0.6, 256 bits)} or why none. */
    String describe();

    /**
     * Device {@code index} (from 0 to {@link #deviceCount()} − 1), opened on first use and kept for the process.
     *
     * @throws IllegalArgumentException if there is no such device
     */
    BackendDevice device(int index);
}
