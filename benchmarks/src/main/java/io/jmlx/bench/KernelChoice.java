package io.jmlx.bench;

import io.jmlx.kernels.KernelProvider;
import io.jmlx.kernels.KernelThreads;

/**
 * Makes the {@code kernels} and {@code threads} parameters of a benchmark take effect. jmlx picks its kernel set
 * ({@code jmlx.kernels}) and thread count ({@code jmlx.threads}) once per process, and JMH runs every parameter
 * combination in a fresh fork, so setting the two properties in the first {@code @Setup} (before any jmlx op)
 * selects them; {@link #select} then checks that they really did, and fails loudly otherwise (e.g. with
 * {@code -f 0}, where one JVM runs several combinations).
 */
final class KernelChoice {
    private KernelChoice() {}

    static void select(String kernels, int threads) {
        System.setProperty(KernelProvider.PROPERTY, kernels);
        System.setProperty(KernelThreads.PROPERTY, Integer.toString(threads));
        String actual = KernelProvider.get().name();
        boolean kernelsOk = kernels.equalsIgnoreCase("auto") || actual.equalsIgnoreCase(kernels.trim());
        if (!kernelsOk || KernelThreads.count() != threads) {
            throw new IllegalStateException("this JVM already runs jmlx with kernels=" + actual + ", threads="
                    + KernelThreads.count() + " but the benchmark asks for kernels=" + kernels + ", threads=" + threads
                    + "; each combination needs its own fork (do not use -f 0)");
        }
    }
}
