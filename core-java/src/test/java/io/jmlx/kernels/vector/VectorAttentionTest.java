package io.jmlx.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import io.jmlx.backend.AttentionSpec;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.KernelSet;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.kernels.ScalarKernels;
import io.jmlx.testing.AttentionReference;
import io.jmlx.testing.Segments;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both attention kernels (vector and scalar reference) are within float32's bound of the exact attention, on
 * awkward shapes (keys not a whole number of vectors, dims not a multiple of the lanes, a single key), with no mask,
 * a padding mask per batch ({@code [batch, 1, 1, keys]}, −∞ on some keys) and a full {@code [queries, keys]} mask;
 * and the vector kernel gives the same bits on one thread as on all.
 */
class VectorAttentionTest {
    private static final KernelSet VECTOR = new VectorKernels();
    private static final KernelSet SCALAR = new ScalarKernels();
    /** batch, heads, queries, keys, dims. */
    private static final int[][] SHAPES = {
        {1, 1, 1, 1, 1}, {2, 3, 5, 7, 32}, {1, 2, 9, 9, 20}, {3, 1, 17, 13, 8}, {2, 2, 4, 33, 64}, {1, 2, 70, 70, 32}
    };

    private enum Mask {
        NONE,
        PADDING,
        FULL
    }

    @Test
    void withinBoundOfExactAttention() {
        Random r = new Random(3);
        for (int[] shape : SHAPES) {
            for (Mask mask : Mask.values()) {
                check(r, shape, mask);
            }
        }
    }

    private static void check(Random r, int[] shape, Mask kind) {
        int b = shape[0];
        int h = shape[1];
        int lq = shape[2];
        int lk = shape[3];
        int d = shape[4];
        float scale = (float) (1 / Math.sqrt(d));
        float[] q = random(r, b * h * lq * d, 2);
        float[] k = random(r, b * h * lk * d, 2);
        float[] v = random(r, b * h * lk * d, 1);
        float[] mask = null;
        AttentionSpec spec;
        AttentionReference.MaskValues values = null;
        switch (kind) {
            case NONE -> spec = new AttentionSpec(b, h, lq, lk, d, scale, 0, 0, 0, DType.FLOAT32);
            case PADDING -> {
                float[] m = new float[b * lk];
                for (int bi = 0; bi < b; bi++) {
                    int tokens = 1 + r.nextInt(lk);
                    for (int j = tokens; j < lk; j++) {
                        m[bi * lk + j] = Float.NEGATIVE_INFINITY;
                    }
                }
                mask = m;
                values = (bh, i, j) -> m[bh / h * lk + j];
                spec = new AttentionSpec(b, h, lq, lk, d, scale, lk, 0, 0, DType.FLOAT32);
            }
            default -> {
                float[] m = random(r, lq * lk, 3);
                mask = m;
                values = (bh, i, j) -> m[i * lk + j];
                spec = new AttentionSpec(b, h, lq, lk, d, scale, 0, 0, lk, DType.FLOAT32);
            }
        }
        AttentionReference.Result exact = AttentionReference.compute(q, k, v, b * h, lq, lk, d, scale, values);
        MemorySegment maskSegment = mask == null ? null : segment(mask);
        String name = java.util.Arrays.toString(shape) + " mask " + kind;
        float[] vector = run(VECTOR, spec, q, k, v, maskSegment);
        float[] scalar = run(SCALAR, spec, q, k, v, maskSegment);
        for (int i = 0; i < vector.length; i++) {
            double e = exact.values()[i];
            double bound = exact.bounds()[i];
            assertTrue(Math.abs(vector[i] - e) <= bound, name + " vector at " + i + ": " + vector[i] + " vs " + e);
            assertTrue(Math.abs(scalar[i] - e) <= bound, name + " scalar at " + i + ": " + scalar[i] + " vs " + e);
        }
        float[][] sequential = new float[1][];
        KernelThreads.sequentially(() -> sequential[0] = run(VECTOR, spec, q, k, v, maskSegment));
        assertArrayEquals(vector, sequential[0], name + ": one thread and all threads differ");
    }

    private static float[] run(
            KernelSet kernels, AttentionSpec spec, float[] q, float[] k, float[] v, MemorySegment m) {
        MemorySegment out = Segments.allocate((long) q.length, DType.FLOAT32);
        kernels.attention(spec, segment(q), segment(k), segment(v), m, out);
        float[] values = new float[q.length];
        Elements.readRow(out, DType.FLOAT32, 0, values, values.length);
        return values;
    }

    private static float[] random(Random r, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (r.nextGaussian() * scale);
        }
        return values;
    }

    private static MemorySegment segment(float[] values) {
        MemorySegment s = Segments.allocate((long) values.length, DType.FLOAT32);
        Elements.writeRow(values, values.length, s, DType.FLOAT32, 0);
        return s;
    }
}
