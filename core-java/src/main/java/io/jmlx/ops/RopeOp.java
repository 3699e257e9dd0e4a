package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.RopeSpec;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's {@code fast.rope}: rotary position embedding of {@code x} of shape {@code [..., L, D]} (at least 3-D, as
 * MLX), whose second-to-last axis is the sequence. The row at sequence index {@code l} has position
 * {@code p = scale · (offset + l)}; for {@code j < dims/2} the pair of features {@code (x1, x2)} is rotated by the
 * angle {@code p · base^(−2j/dims)}: {@code (x1·cos − x2·sin, x1·sin + x2·cos)}. With {@code traditional} the pairs
 * are the adjacent features {@code (2j, 2j+1)}; otherwise (Hugging Face's and mlx-lm's default) the two halves
 * {@code (j, j + dims/2)}. Features from {@code dims} on are copied unchanged. Angles, sines and cosines are
 * computed in double precision, each result rounded once to {@code x}'s type.
 */
public final class RopeOp {
    private static final String NAME = "rope";

    private RopeOp() {}

    public static Array rope(
            Array x, int dims, boolean traditional, float base, float scale, int offset, StreamOrDevice s) {
        OpChecks.requireFloat(NAME, "x", x);
        int[] shape = x.shape();
        if (shape.length < 3) {
            throw new IllegalArgumentException("[rope] x must have at least 3 dimensions ([..., sequence, features]) "
                    + "but has shape " + Shape.format(shape) + ".");
        }
        int features = shape[shape.length - 1];
        if (dims <= 0 || dims % 2 != 0 || dims > features) {
            throw new IllegalArgumentException("[rope] dims must be a positive even number of at most the last axis "
                    + "of x (" + features + ") but is " + dims + ".");
        }
        if (!(base > 0) || Float.isInfinite(base)) {
            throw new IllegalArgumentException("[rope] base must be a finite positive number but is " + base + ".");
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("[rope] scale must be finite but is " + scale + ".");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("[rope] offset must be >= 0 but is " + offset + ".");
        }
        int length = shape[shape.length - 2];
        DType t = x.dtype();
        long rows = features == 0 ? 0 : x.size() / features;
        RopeSpec spec = new RopeSpec(rows, length, features, dims, traditional, base, scale, offset, t);
        return Scheduler.submit(
                NAME,
                s,
                new Array[] {x},
                shape,
                t,
                (kernels, in, out) -> kernels.rope().rope(spec, in[0], out[0]));
    }
}
