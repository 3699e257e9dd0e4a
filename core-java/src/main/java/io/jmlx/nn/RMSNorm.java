package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;

/**
 * Root-mean-square normalization over the last axis (MLX's {@code nn.RMSNorm}):
 * {@code x / √(mean(x²) + eps) · weight}, through {@link Jmlx#rmsNorm}. Parameter: {@code weight} ({@code [dims]},
 * ones to start with).
 */
public final class RMSNorm extends Layer {
    private final Parameter weight;
    private final float eps;

    /** A norm over {@code dims} features with MLX's default {@code eps = 1e-5}. */
    public RMSNorm(int dims) {
        this(dims, 1e-5f);
    }

    /** A norm over {@code dims} features with the given {@code eps}. */
    public RMSNorm(int dims, float eps) {
        LayerChecks.checkDim("RMSNorm", "dims", dims);
        this.weight = addParameter("weight", Initializers.ones(dims));
        this.eps = eps;
    }

    /** The scale, {@code [dims]}. */
    public Array weight() {
        return weight.get();
    }

    /** The normalized {@code x} ({@code [..., dims]}). */
    @Override
    public Array forward(Array x) {
        return Jmlx.rmsNorm(x, weight(), eps);
    }
}
