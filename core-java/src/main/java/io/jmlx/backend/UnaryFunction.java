package io.jmlx.backend;

/**
 * The elementwise functions of one array: MLX's {@code exp}, {@code log}, {@code sqrt}, {@code rsqrt}, {@code tanh},
 * {@code erf}, {@code sigmoid}, {@code square}, {@code negative}, and the activations of {@code mlx.nn} as single
 * fused functions ({@code silu} = x·sigmoid(x), {@code gelu} = x·(1 + erf(x/√2))/2, {@code gelu_approx} = the tanh
 * approximation x/2·(1 + tanh(√(2/π)·(x + 0.044715x³)))).
 */
public enum UnaryFunction {
    EXP("exp"),
    LOG("log"),
    SQRT("sqrt"),
    RSQRT("rsqrt"),
    TANH("tanh"),
    ERF("erf"),
    SIGMOID("sigmoid"),
    SQUARE("square"),
    NEGATIVE("negative"),
    SILU("silu"),
    GELU("gelu"),
    GELU_APPROX("gelu_approx");

    private final String mlxName;

    UnaryFunction(String mlxName) {
        this.mlxName = mlxName;
    }

    /** MLX's name, e.g. {@code gelu_approx}. */
    public String mlxName() {
        return mlxName;
    }
}
