package io.jmlx.kernels.vector;

import io.jmlx.kernels.KernelThreads;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Quantized matmul for any bits and mode: each weight row is decoded to floats once (by a {@link WeightRows})
 * and then used against every row of x with vector FMAs: the kernel for a few rows of x. Sums are float32, in an order fixed by the shapes alone.
 */
final class DecodedMatmul {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Output rows (transposed) or weight-row blocks handled by one task. */
    private static final int ROWS_PER_CHUNK = 32;

    private DecodedMatmul() {}

    /** {@code y[m × n] = x[m × k] · Ŵᵀ} with Ŵ stored {@code [n, k]}. */
    static void transposed(float[] x, int m, int k, int n, WeightRows decoder, float[] y) {
        int chunks = (n + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        KernelThreads.forEach(chunks, c -> {
            float[] w = new float[k];
            for (int j = c * ROWS_PER_CHUNK; j < Math.min(n, (c + 1) * ROWS_PER_CHUNK); j++) {
                decoder.decode(j, 0, k / LaneShapes.BLOCK, w, 0, BlockDecoder.STRIP);
                for (int i = 0; i < m; i++) {
                    y[i * n + j] = dot(x, i * k, w, k);
                }
            }
        });
    }

    /** {@code y[m × n] = x[m × k] · Ŵ} with Ŵ stored {@code [k, n]}; tasks split the columns of y. */
    static void plain(float[] x, int m, int k, int n, WeightRows decoder, float[] y) {
        // Each task decodes and accumulates its own column range of every row of W, so every y element sums
        // k ascending whatever the number of tasks.
        int tasks = Math.max(1, Math.min(KernelThreads.count(), n / (4 * F.length())));
        int block = LaneShapes.BLOCK;
        int width = ((n + tasks - 1) / tasks + block - 1) / block * block;
        KernelThreads.forEach(tasks, c -> {
            int from = c * width;
            int to = Math.min(n, from + width);
            if (from >= to) {
                return;
            }
            float[] w = new float[n];
            for (int kk = 0; kk < k; kk++) {
                decoder.decode(kk, from / block, (to - from) / block, w, from, BlockDecoder.STRIP);
                for (int i = 0; i < m; i++) {
                    axpy(x[i * k + kk], w, from, y, i * n + from, to - from);
                }
            }
        });
    }

    /** Σ a[aFrom + i]·b[i] for i < len, in vector lanes then a scalar tail. */
    static float dot(float[] a, int aFrom, float[] b, int len) {
        return dot(a, aFrom, b, 0, len);
    }

    /**
     * Σ a[aFrom + i]·b[bFrom + i] for i < len: four interleaved chains of vector lanes (so that fused multiply-adds
     * overlap instead of waiting on one another), added pairwise, then the lanes, then a scalar tail.
     */
    static float dot(float[] a, int aFrom, float[] b, int bFrom, int len) {
        int lanes = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = len - 4 * lanes; i <= bound; i += 4 * lanes) {
            acc0 = FloatVector.fromArray(F, a, aFrom + i).fma(FloatVector.fromArray(F, b, bFrom + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aFrom + i + lanes)
                    .fma(FloatVector.fromArray(F, b, bFrom + i + lanes), acc1);
            acc2 = FloatVector.fromArray(F, a, aFrom + i + 2 * lanes)
                    .fma(FloatVector.fromArray(F, b, bFrom + i + 2 * lanes), acc2);
            acc3 = FloatVector.fromArray(F, a, aFrom + i + 3 * lanes)
                    .fma(FloatVector.fromArray(F, b, bFrom + i + 3 * lanes), acc3);
        }
        for (int bound = F.loopBound(len); i < bound; i += lanes) {
            acc0 = FloatVector.fromArray(F, a, aFrom + i).fma(FloatVector.fromArray(F, b, bFrom + i), acc0);
        }
        float sum = Lanes.sum(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < len; i++) {
            sum = Math.fma(a[aFrom + i], b[bFrom + i], sum);
        }
        return sum;
    }

    /** {@code y[yFrom + i] += a · w[wFrom + i]} for {@code i < len}. */
    static void axpy(float a, float[] w, int wFrom, float[] y, int yFrom, int len) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            FloatVector.fromArray(F, w, wFrom + i)
                    .fma(av, FloatVector.fromArray(F, y, yFrom + i))
                    .intoArray(y, yFrom + i);
        }
        for (; i < len; i++) {
            y[yFrom + i] = Math.fma(w[wFrom + i], a, y[yFrom + i]); // as the lanes do, wherever a split falls
        }
    }
}
