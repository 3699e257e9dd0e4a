package io.jmlx.kernels.vector;

import io.jmlx.kernels.KernelThreads;

/** Dense float32 {@code y = a · b} with vector FMAs, rows of y split over the kernel threads (k ascending per element). */
final class DenseMatmul {
    private static final int ROWS_PER_CHUNK = 8;
    /** Multiply-adds below which a product runs as one chunk. */
    private static final long SMALL = 1 << 18;

    private DenseMatmul() {}

    static void multiply(float[] a, float[] b, int m, int k, int n, float[] y) {
        // Small products (attention's, head by head) on the calling thread: handing them out costs more.
        int rowsPerChunk = (long) m * k * n < SMALL ? m : ROWS_PER_CHUNK;
        int chunks = (m + rowsPerChunk - 1) / rowsPerChunk;
        KernelThreads.forEach(chunks, c -> {
            for (int i = c * rowsPerChunk; i < Math.min(m, (c + 1) * rowsPerChunk); i++) {
                for (int kk = 0; kk < k; kk++) {
                    DecodedMatmul.axpy(a[i * k + kk], b, kk * n, y, i * n, n);
                }
            }
        });
    }
}
