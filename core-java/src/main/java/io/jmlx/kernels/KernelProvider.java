package io.jmlx.kernels;

import java.util.Locale;

/**
 * Chooses the {@link Kernels} implementation once per process, like Lucene's vectorization provider. The system
 * property {@code jmlx.kernels} picks one explicitly ({@code scalar}); {@code auto} (the default) picks the
 * fastest available. Today the scalar reference is the only implementation.
 */
public final class KernelProvider {
    /** System property naming the kernels to use. */
    public static final String PROPERTY = "jmlx.kernels";

    private static final Kernels INSTANCE = choose(System.getProperty(PROPERTY, "auto"));

    private KernelProvider() {
    }

    /** The kernels chosen for this process. */
    public static Kernels get() {
        return INSTANCE;
    }

    static Kernels choose(String wanted) {
        return switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "scalar" -> new ScalarKernels();
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + wanted
                    + " is not a kernel set; expected auto or scalar");
        };
    }
}
