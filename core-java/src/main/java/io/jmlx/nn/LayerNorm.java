package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;

/**
 * Layer normalization over the last axis (MLX's {@code nn.LayerNorm}): {@code (x − mean) / √(var + eps)}, then, when
 * {@code affine}, times {@code weight} (ones to start with) plus {@code bias} (zeros to start with, only when the
 * layer has one), through {@link Jmlx#layerNorm}. Parameters: {@code weight} and {@code bias} as present.
 */
public final class LayerNorm extends Layer {
    private final Parameter weight;
    private final Parameter bias;
    private final float eps;

    /** An affine norm with a bias over {@code dims} features and MLX's default {@code eps = 1e-5}. */
    public LayerNorm(int dims) {
        this(dims, 1e-5f, true, true);
    }

    /**
     * A norm over {@code dims} features; {@code affine}: learn a weight, and a bias when {@code bias} (MLX's
     * {@code LayerNorm(dims, eps, affine, bias)}).
     */
    public LayerNorm(int dims, float eps, boolean affine, boolean bias) {
        LayerChecks.checkDim("LayerNorm", "dims", dims);
        this.weight = affine ? addParameter("weight", Initializers.ones(dims)) : null;
        this.bias = affine && bias ? addParameter("bias", Array.zeros(DType.FLOAT32, dims)) : null;
        this.eps = eps;
    }

    /** The scale, or {@code null} when the layer is not affine. */
    public Array weight() {
        return weight == null ? null : weight.get();
    }

    /** The shift, or {@code null} when the layer has none. */
    public Array bias() {
        return bias == null ? null : bias.get();
    }

    /** The normalized {@code x} ({@code [..., dims]}). */
    @Override
    public Array forward(Array x) {
        return Jmlx.layerNorm(x, weight(), bias(), eps);
    }
}
