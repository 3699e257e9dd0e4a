package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.stream.Scheduler;
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
final class RopeOp {
    private static final String NAME = "rope";

    private RopeOp() {}

    static Array rope(Array x, int dims, boolean traditional, float base, float scale, int offset, StreamOrDevice s) {
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
        int half = dims / 2;
        int secondOffset = traditional ? 1 : half;
        int pairStride = traditional ? 2 : 1;
        DType t = x.dtype();
        long rows = features == 0 ? 0 : x.size() / features;
        return Scheduler.submit(NAME, s, new Array[] {x}, shape, t, (in, out) -> {
            double[] cos = new double[length * half];
            double[] sin = new double[length * half];
            for (int l = 0; l < length; l++) {
                double position = (double) scale * ((long) offset + l);
                for (int j = 0; j < half; j++) {
                    double angle = position * Math.pow(base, -2.0 * j / dims);
                    cos[l * half + j] = Math.cos(angle);
                    sin[l * half + j] = Math.sin(angle);
                }
            }
            float[] row = new float[features];
            for (long r = 0; r < rows; r++) {
                Elements.readRow(in[0], t, r * features, row, features);
                int l = (int) (r % length);
                for (int j = 0; j < half; j++) {
                    int first = j * pairStride;
                    int second = first + secondOffset;
                    double x1 = row[first];
                    double x2 = row[second];
                    double c = cos[l * half + j];
                    double sn = sin[l * half + j];
                    row[first] = (float) (x1 * c - x2 * sn);
                    row[second] = (float) (x1 * sn + x2 * c);
                }
                Elements.writeRow(row, features, out[0], t, r * features);
            }
        });
    }
}
