package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.AttentionSpec;
import io.jmlx.stream.StreamOrDevice;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * MLX's {@code fast.scaled_dot_product_attention}: {@code softmax(scale · q · kᵀ + mask) · v} for every batch and head
 * in one op, without materializing the scores. {@code q [batch, heads, queries, dims]}, {@code k} and
 * {@code v [batch, heads, keys, dims]} (as many heads as q), an optional additive mask broadcastable to
 * {@code [batch, heads, queries, keys]} (−∞ hides a key); the result is shaped as q, of the promoted type.
 */
public final class AttentionOp {
    private static final String NAME = "scaled_dot_product_attention";

    private AttentionOp() {}

    public static Array scaledDotProductAttention(
            Array q, Array k, Array v, float scale, Array mask, StreamOrDevice s) {
        OpChecks.requireFloat(NAME, "q", q);
        OpChecks.requireFloat(NAME, "k", k);
        OpChecks.requireFloat(NAME, "v", v);
        int[] qs = q.shape();
        int[] ks = k.shape();
        int[] vs = v.shape();
        if (qs.length != 4 || ks.length != 4 || vs.length != 4) {
            throw new IllegalArgumentException("[" + NAME + "] q, k and v must be 4-D [batch, heads, length, dims] but "
                    + "have shapes " + Shape.format(qs) + ", " + Shape.format(ks) + " and " + Shape.format(vs) + ".");
        }
        boolean fits = ks[0] == qs[0]
                && vs[0] == qs[0]
                && ks[1] == qs[1]
                && vs[1] == qs[1]
                && ks[3] == qs[3]
                && vs[3] == qs[3]
                && vs[2] == ks[2];
        if (!fits) {
            throw new IllegalArgumentException("[" + NAME
                    + "] k and v must have q's batch, heads and dims and the same "
                    + "length as each other, but q, k and v have shapes " + Shape.format(qs) + ", " + Shape.format(ks)
                    + " and " + Shape.format(vs) + ".");
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("[" + NAME + "] scale must be finite but is " + scale + ".");
        }
        DType t = DType.promote(DType.promote(q.dtype(), k.dtype()), v.dtype());
        int batch = qs[0];
        int heads = qs[1];
        int queries = qs[2];
        int keys = ks[2];
        long[] strides = new long[3];
        if (mask != null) {
            OpChecks.requireFloat(NAME, "mask", mask);
            strides = maskStrides(mask.shape(), new int[] {batch, heads, queries, keys});
        }
        Array[] inputs = Stream.of(q, k, v, mask)
                .filter(Objects::nonNull)
                .map(a -> DenseOps.astype(a, t, s))
                .toArray(Array[]::new);
        AttentionSpec spec =
                new AttentionSpec(batch, heads, queries, keys, qs[3], scale, strides[0], strides[1], strides[2], t);
        return Scheduler.submit(
                NAME,
                s,
                inputs,
                qs,
                t,
                (kernels, in, out) ->
                        kernels.matmul().attention(spec, in[0], in[1], in[2], in.length > 3 ? in[3] : null, out[0]));
    }

    /**
     * The mask's element strides along batch, heads and queries (0 where it broadcasts): its shape, padded with
     * leading 1s to four axes, must have {@code keys} last and 1 or the full size on every other axis.
     */
    private static long[] maskStrides(int[] shape, int[] full) {
        boolean fits = shape.length >= 1 && shape.length <= 4 && shape[shape.length - 1] == full[3];
        int[] padded = {1, 1, 1, 1};
        for (int i = 0; fits && i < shape.length; i++) {
            padded[4 - shape.length + i] = shape[i];
        }
        for (int axis = 0; fits && axis < 3; axis++) {
            fits = padded[axis] == 1 || padded[axis] == full[axis];
        }
        if (!fits) {
            throw new IllegalArgumentException("[" + NAME + "] mask must broadcast to [batch, heads, queries, keys] = "
                    + Shape.format(full) + " with the keys as its last axis, but has shape " + Shape.format(shape)
                    + ".");
        }
        long[] strides = new long[3];
        long stride = full[3];
        for (int axis = 2; axis >= 0; axis--) {
            strides[axis] = padded[axis] == 1 ? 0 : stride;
            stride *= padded[axis];
        }
        return strides;
    }
}
