package io.jmlx.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool kernels split their work over. Its size is the system property {@code jmlx.threads}
 * (default: the available processors). Work is split into independent chunks of output (rows or tiles) whose
 * every element is computed in a fixed order, so results do not depend on the number of threads.
 */
public final class KernelThreads {
    /** System property giving the number of kernel threads. */
    public static final String PROPERTY = "jmlx.threads";

    private static final int THREADS = threads(System.getProperty(PROPERTY));
    private static final ForkJoinPool POOL = THREADS > 1
            ? new ForkJoinPool(
                    THREADS,
                    pool -> {
                        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                        t.setName("jmlx-kernel-" + t.getPoolIndex());
                        t.setDaemon(true);
                        return t;
                    },
                    null,
                    false)
            : null;

    private KernelThreads() {}

    static int threads(String value) {
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(
                "-D" + PROPERTY + "=" + value + " is not a thread count; expected an " + "integer of at least 1");
    }

    /** Number of threads kernels use. */
    public static int count() {
        return THREADS;
    }

    private static final ThreadLocal<Boolean> SEQUENTIAL = ThreadLocal.withInitial(() -> false);

    /** Runs {@code work} with every {@link #forEach} on this thread done sequentially (to check determinism). */
    public static void sequentially(Runnable work) {
        boolean before = SEQUENTIAL.get();
        SEQUENTIAL.set(true);
        try {
            work.run();
        } finally {
            SEQUENTIAL.set(before);
        }
    }

    /**
     * Runs {@code body} for every chunk index in {@code [0, chunks)}, in parallel when there is more than one
     * thread and more than one chunk; returns when all are done.
     */
    public static void forEach(int chunks, IntConsumer body) {
        if (POOL == null || chunks <= 1 || java.util.concurrent.ForkJoinTask.getPool() == POOL || SEQUENTIAL.get()) {
            for (int i = 0; i < chunks; i++) {
                body.accept(i);
            }
            return;
        }
        POOL.invoke(new Range(0, chunks, body));
    }

    /** Splits {@code [from, to)} in halves down to single chunks. */
    private static final class Range extends RecursiveAction {
        private final int from;
        private final int to;
        private final IntConsumer body;

        Range(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, body), new Range(mid, to, body));
        }
    }
}
