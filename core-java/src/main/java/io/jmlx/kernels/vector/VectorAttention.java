package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.backend.AttentionSpec;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.KernelThreads;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Scaled dot-product attention in float lanes, one task per batch and head (all of whose work stays in cache):
 * kᵀ is laid out once with its keys padded to whole vectors; for every query row the scores of {@link LaneShapes#LANES}
 * keys at a time are four chains of fused multiply-adds over the key dimensions (q scaled first, as MLX does), padded
 * keys are set to −∞, the softmax runs in float lanes (the maximum subtracted first, {@code exp} of the lanes, their
 * sum) and the weighted sum of v rows is one chain per output lane in key order, four vectors of outputs side by side.
 * Each output depends on its own head's values only, in an order fixed by the shapes: the same whatever the number
 * of threads.
 */
final class VectorAttention {
    private VectorAttention() {}

    /** A task's arrays: one batch and head's q, k (and kᵀ), v, outputs and a row of scores and of the mask. */
    private static final class Buffers {
        final float[] q;
        final float[] k;
        final float[] kT;
        final float[] v;
        final float[] y;
        final float[] scores;
        final float[] maskRow;

        Buffers(int lq, int lk, int paddedKeys, int d) {
            q = new float[lq * d];
            k = new float[lk * d];
            kT = new float[d * paddedKeys];
            v = new float[lk * d];
            y = new float[lq * d];
            scores = new float[paddedKeys];
            maskRow = new float[lk];
        }
    }

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
        int paddedKeys = (lk + LANES - 1) / LANES * LANES;
        int heads = spec.heads();
        KernelThreads.forEach(spec.batch() * heads, task -> {
            int b = task / heads;
            int h = task % heads;
            Buffers buf = new Buffers(lq, lk, paddedKeys, d);
            long head = task;
            Elements.readRow(q, spec.dtype(), head * lq * d, buf.q, lq * d);
            Elements.readRow(v, spec.dtype(), head * lk * d, buf.v, lk * d);
            Elements.readRow(k, spec.dtype(), head * lk * d, buf.k, lk * d);
            for (int j = 0; j < lk; j++) {
                for (int x = 0; x < d; x++) {
                    buf.kT[x * paddedKeys + j] = buf.k[j * d + x];
                }
            }
            for (int x = 0; x < lq * d; x++) {
                buf.q[x] *= spec.scale();
            }
            long maskLoaded = -1;
            for (int i = 0; i < lq; i++) {
                scores(buf, i, d, paddedKeys);
                if (mask != null) {
                    long maskAt = spec.maskRow(b, h, i);
                    if (maskAt != maskLoaded) { // a mask that broadcasts over queries is read once per head
                        Elements.readRow(mask, spec.dtype(), maskAt, buf.maskRow, lk);
                        maskLoaded = maskAt;
                    }
                    for (int j = 0; j < lk; j++) {
                        buf.scores[j] += buf.maskRow[j];
                    }
                }
                for (int j = lk; j < paddedKeys; j++) {
                    buf.scores[j] = Float.NEGATIVE_INFINITY;
                }
                softmax(buf.scores, paddedKeys);
                weightedSum(buf, i, lk, d);
            }
            Elements.writeRow(buf.y, lq * d, out, spec.dtype(), head * lq * d);
        });
    }

    /**
     * {@code scores[j] = Σₓ q[i][x]·kT[x][j]} for every (padded) key, LANES keys at a time, in four chains (x mod 4)
     * added at the end, so that the multiply-adds do not wait on one another.
     */
    private static void scores(Buffers buf, int i, int d, int paddedKeys) {
        float[] q = buf.q;
        float[] kT = buf.kT;
        int row = i * d;
        int whole = d & ~3;
        for (int j = 0; j < paddedKeys; j += LANES) {
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            FloatVector acc3 = FloatVector.zero(F);
            int x = 0;
            for (; x < whole; x += 4) {
                int at = x * paddedKeys + j;
                acc0 = FloatVector.broadcast(F, q[row + x]).fma(FloatVector.fromArray(F, kT, at), acc0);
                acc1 = FloatVector.broadcast(F, q[row + x + 1])
                        .fma(FloatVector.fromArray(F, kT, at + paddedKeys), acc1);
                acc2 = FloatVector.broadcast(F, q[row + x + 2])
                        .fma(FloatVector.fromArray(F, kT, at + 2 * paddedKeys), acc2);
                acc3 = FloatVector.broadcast(F, q[row + x + 3])
                        .fma(FloatVector.fromArray(F, kT, at + 3 * paddedKeys), acc3);
            }
            for (; x < d; x++) {
                acc0 = FloatVector.broadcast(F, q[row + x]).fma(FloatVector.fromArray(F, kT, x * paddedKeys + j), acc0);
            }
            acc0.add(acc1).add(acc2.add(acc3)).intoArray(buf.scores, j);
        }
    }

    /** {@code s ← exp(s − max s) / Σ exp(s − max s)} over {@code s[0, n)}, n a multiple of LANES. */
    private static void softmax(float[] s, int n) {
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j += LANES) {
            max = max.max(FloatVector.fromArray(F, s, j));
        }
        float m = max.reduceLanes(VectorOperators.MAX);
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < n; j += LANES) {
            FloatVector e = FloatVector.fromArray(F, s, j).sub(m).lanewise(VectorOperators.EXP);
            e.intoArray(s, j);
            sum = sum.add(e);
        }
        float total = Lanes.sum(sum);
        for (int j = 0; j < n; j += LANES) {
            FloatVector.fromArray(F, s, j).div(total).intoArray(s, j);
        }
    }

    /**
     * {@code y[i][x] = Σⱼ p[j]·v[j][x]}, one chain per output in key order: four vectors of outputs at a time (four
     * independent chains), then one vector, then one by one past the last whole vector.
     */
    private static void weightedSum(Buffers buf, int i, int lk, int d) {
        float[] p = buf.scores;
        float[] v = buf.v;
        int x = 0;
        for (; x + 4 * LANES <= d; x += 4 * LANES) {
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F);
            FloatVector acc3 = FloatVector.zero(F);
            for (int j = 0; j < lk; j++) {
                FloatVector pj = FloatVector.broadcast(F, p[j]);
                int at = j * d + x;
                acc0 = pj.fma(FloatVector.fromArray(F, v, at), acc0);
                acc1 = pj.fma(FloatVector.fromArray(F, v, at + LANES), acc1);
                acc2 = pj.fma(FloatVector.fromArray(F, v, at + 2 * LANES), acc2);
                acc3 = pj.fma(FloatVector.fromArray(F, v, at + 3 * LANES), acc3);
            }
            acc0.intoArray(buf.y, i * d + x);
            acc1.intoArray(buf.y, i * d + x + LANES);
            acc2.intoArray(buf.y, i * d + x + 2 * LANES);
            acc3.intoArray(buf.y, i * d + x + 3 * LANES);
        }
        for (int bound = F.loopBound(d); x < bound; x += LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < lk; j++) {
                acc = FloatVector.broadcast(F, p[j]).fma(FloatVector.fromArray(F, v, j * d + x), acc);
            }
            acc.intoArray(buf.y, i * d + x);
        }
        for (; x < d; x++) {
            float acc = 0;
            for (int j = 0; j < lk; j++) {
                acc = Math.fma(p[j], v[j * d + x], acc);
            }
            buf.y[i * d + x] = acc;
        }
    }
}
