package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;

/**
 * Rotary position embedding (MLX's {@code nn.RoPE}), through {@link Jmlx#rope}: rotates the first {@code dims}
 * features of {@code x} {@code [..., sequence, features]} by angles growing with the position. No parameters.
 * {@code traditional = false} (MLX's default) rotates the half-split pairs {@code (j, j + dims/2)} that Hugging Face
 * and mlx-lm Llama checkpoints expect; {@code true} the adjacent pairs {@code (2j, 2j+1)}.
 */
public final class RoPE extends Layer {
    private final int dims;
    private final boolean traditional;
    private final float base;
    private final float scale;

    /** MLX's defaults: half-split pairs, base 10000, scale 1. */
    public RoPE(int dims) {
        this(dims, false, 10000, 1);
    }

    /** A rotation of {@code dims} features with the given convention, frequency base and position scale. */
    public RoPE(int dims, boolean traditional, float base, float scale) {
        LayerChecks.checkDim("RoPE", "dims", dims);
        this.dims = dims;
        this.traditional = traditional;
        this.base = base;
        this.scale = scale;
    }

    /** {@code x} rotated for positions {@code 0, 1, ...} along its sequence axis. */
    @Override
    public Array forward(Array x) {
        return forward(x, 0);
    }

    /** {@code x} rotated for positions {@code offset, offset + 1, ...} (e.g. the length of a key/value cache). */
    public Array forward(Array x, int offset) {
        return Jmlx.rope(x, dims, traditional, base, scale, offset);
    }
}
