package io.jmlx.kernels;

import io.jmlx.backend.AttentionSpec;
import java.lang.foreign.MemorySegment;

/**
 * The reference scaled dot-product attention, one query row at a time: q scaled and rounded to float32 (as MLX
 * scales q before the product), scores as float32 sums in key-dimension order plus the mask, the softmax in double
 * precision (maximum subtracted first), and the weighted sum of v rows in float32 in key order, rounded once to the
 * type.
 */
final class ScalarAttention {
    private ScalarAttention() {}

    static void attention(
            AttentionSpec spec,
            MemorySegment q,
            MemorySegment k,
            MemorySegment v,
            MemorySegment mask,
            MemorySegment out) {
        int lq = spec.queries();
        int lk = spec.keys();
        int d = spec.dims();
        float[] qs = new float[lq * d];
        float[] ks = new float[lk * d];
        float[] vs = new float[lk * d];
        float[] ys = new float[lq * d];
        float[] scores = new float[lk];
        float[] maskRow = new float[lk];
        double[] exps = new double[lk];
        for (int b = 0; b < spec.batch(); b++) {
            for (int h = 0; h < spec.heads(); h++) {
                long head = (long) b * spec.heads() + h;
                Elements.readRow(q, spec.dtype(), head * lq * d, qs, lq * d);
                Elements.readRow(k, spec.dtype(), head * lk * d, ks, lk * d);
                Elements.readRow(v, spec.dtype(), head * lk * d, vs, lk * d);
                for (int i = 0; i < lq; i++) {
                    for (int x = 0; x < d; x++) {
                        qs[i * d + x] *= spec.scale();
                    }
                    if (mask != null) {
                        Elements.readRow(mask, spec.dtype(), spec.maskRow(b, h, i), maskRow, lk);
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lk; j++) {
                        float s = 0;
                        for (int x = 0; x < d; x++) {
                            s += qs[i * d + x] * ks[j * d + x];
                        }
                        scores[j] = mask == null ? s : s + maskRow[j];
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < lk; j++) {
                        exps[j] = Math.exp(scores[j] - max);
                        sum += exps[j];
                    }
                    for (int x = 0; x < d; x++) {
                        float y = 0;
                        for (int j = 0; j < lk; j++) {
                            y += (float) (exps[j] / sum) * vs[j * d + x];
                        }
                        ys[i * d + x] = y;
                    }
                }
                Elements.writeRow(ys, lq * d, out, spec.dtype(), head * lq * d);
            }
        }
    }
}
