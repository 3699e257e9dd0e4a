package io.jmlx.kernels.vector;

import io.jmlx.kernels.KernelThreads;

/** Dense float32 {@code y = a · b} with vector FMAs, rows of y split over the kernel threads (k ascending per element). */
final class DenseMatmul {
    private static final int ROWS_PER_CHUNK = 8;

    private DenseMatmul() {}

    static void multiply(float[] a, float[] b, int m, int k, int n, float[] y) {
        int chunks = (m + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        KernelThreads.forEach(chunks, c -> {
            for (int i = c * ROWS_PER_CHUNK; i < Math.min(m, (c + 1) * ROWS_PER_CHUNK); i++) {
                for (int kk = 0; kk < k; kk++) {
                    DecodedMatmul.axpy(a[i * k + kk], b, kk * n, y, i * n, n);
                }
            }
        });
    }
}
