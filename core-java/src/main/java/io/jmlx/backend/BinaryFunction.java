package io.jmlx.backend;

/** The elementwise arithmetic of two arrays: MLX's {@code add}, {@code subtract}, {@code multiply}, {@code divide}. */
public enum BinaryFunction {
    ADD("add", "+"),
    SUBTRACT("subtract", "-"),
    MULTIPLY("multiply", "*"),
    DIVIDE("divide", "/");

    private final String mlxName;
    private final String symbol;

    BinaryFunction(String mlxName, String symbol) {
        this.mlxName = mlxName;
        this.symbol = symbol;
    }

    /** MLX's name, e.g. {@code add}. */
    public String mlxName() {
        return mlxName;
    }

    /** The operator, e.g. {@code +}. */
    public String symbol() {
        return symbol;
    }
}
