package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;

/** The activation functions of {@code mlx.nn} as plain functions, for layers to call in their forward pass. */
public final class Activations {
    private Activations() {}

    /** {@code x · sigmoid(x)} ({@link Jmlx#silu}), the activation of Llama's SwiGLU MLP. */
    public static Array silu(Array x) {
        return Jmlx.silu(x);
    }

    /** {@code x · (1 + erf(x/√2)) / 2} ({@link Jmlx#gelu}). */
    public static Array gelu(Array x) {
        return Jmlx.gelu(x);
    }

    /** The tanh approximation of {@link #gelu} ({@link Jmlx#geluApprox}). */
    public static Array geluApprox(Array x) {
        return Jmlx.geluApprox(x);
    }
}
