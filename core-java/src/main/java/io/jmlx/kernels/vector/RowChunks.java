package io.jmlx.kernels.vector;

import io.jmlx.kernels.KernelThreads;

/**
 * Splits the rows of a matrix into chunks for the kernel thread pool. A chunk's size depends on the row length
 * only (about 64K elements, at least one row), never on the number of threads, and every row is computed alone,
 * so results are the same however the chunks are scheduled.
 */
final class RowChunks {
    private RowChunks() {}

    /** Elements a chunk aims for. */
    static final int CHUNK_ELEMENTS = 1 << 16;

    /** The work on the rows {@code [from, to)} of one chunk. */
    @FunctionalInterface
    interface Body {
        void rows(long from, long to);
    }

    /** Rows per chunk for rows of {@code cols} elements. */
    static long rowsPerChunk(int cols) {
        return Math.max(1, CHUNK_ELEMENTS / Math.max(1, cols));
    }

    /** Runs {@code body} over all {@code rows}, chunk by chunk, in parallel where the pool has threads. */
    static void forEach(long rows, int cols, Body body) {
        long per = rowsPerChunk(cols);
        int chunks = Math.toIntExact((rows + per - 1) / per);
        KernelThreads.forEach(chunks, c -> {
            long from = c * per;
            body.rows(from, Math.min(rows, from + per));
        });
    }
}
