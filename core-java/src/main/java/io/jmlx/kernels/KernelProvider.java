package io.jmlx.kernels;

import java.util.Locale;

/**
 * Chooses the {@link KernelSet} implementation once per process, like Lucene's vectorization provider. The system
 * property {@code jmlx.kernels} picks one: {@code vector} (the Panama Vector API kernels; needs
 * {@code --add-modules jdk.incubator.vector}), {@code scalar} (the plain reference, which runs everywhere) or
 * {@code auto} (the default: vector when the module is there, else scalar).
 */
public final class KernelProvider {
    /** System property naming the kernels to use. */
    public static final String PROPERTY = "jmlx.kernels";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_KERNELS = "io.jmlx.kernels.vector.VectorKernels";

    private static final KernelSet INSTANCE = choose(System.getProperty(PROPERTY, "auto"));

    private KernelProvider() {}

    /** The kernels chosen for this process. */
    public static KernelSet get() {
        return INSTANCE;
    }

    /** True when the Vector API module is in the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}). */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    static KernelSet choose(String wanted) {
        return switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "scalar" -> new ScalarKernels();
            case "vector" -> {
                if (!vectorApiAvailable()) {
                    throw new IllegalStateException("-D" + PROPERTY
                            + "=vector needs the Vector API: start the JVM with " + "--add-modules " + VECTOR_MODULE);
                }
                yield vectorKernels();
            }
            case "auto" -> vectorApiAvailable() ? vectorKernels() : new ScalarKernels();
            default ->
                throw new IllegalArgumentException(
                        "-D" + PROPERTY + "=" + wanted + " is not a kernel set; expected auto, vector or scalar");
        };
    }

    /** Loaded by name so that this class works without the Vector API module. */
    private static KernelSet vectorKernels() {
        try {
            return (KernelSet)
                    Class.forName(VECTOR_KERNELS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + VECTOR_KERNELS, e);
        }
    }
}
