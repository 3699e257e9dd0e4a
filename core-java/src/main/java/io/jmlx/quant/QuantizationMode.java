package io.jmlx.quant;

/**
 * MLX's quantization modes with their default group size and bits. {@code affine} (MLX's default): each group of
 * {@code groupSize} weights has a float scale and bias and b-bit codes, {@code w ≈ scale · code + bias}.
 */
public enum QuantizationMode {
    AFFINE("affine", 64, 4);

    private final String mlxName;
    private final int defaultGroupSize;
    private final int defaultBits;

    QuantizationMode(String mlxName, int defaultGroupSize, int defaultBits) {
        this.mlxName = mlxName;
        this.defaultGroupSize = defaultGroupSize;
        this.defaultBits = defaultBits;
    }

    /** The group size MLX uses when none is given. */
    public int defaultGroupSize() {
        return defaultGroupSize;
    }

    /** The bits MLX uses when none are given. */
    public int defaultBits() {
        return defaultBits;
    }

    /** {@code requested}, or this mode's default group size when it is {@code null}. */
    public int groupSizeOr(Integer requested) {
        return requested == null ? defaultGroupSize : requested;
    }

    /** {@code requested}, or this mode's default bits when it is {@code null}. */
    public int bitsOr(Integer requested) {
        return requested == null ? defaultBits : requested;
    }

    /** MLX's name for the mode, e.g. {@code affine}. */
    public String mlxName() {
        return mlxName;
    }

    /**
     * Parses MLX's mode string (exact, case-sensitive, as MLX); otherwise throws MLX's message
     * {@code [op] Invalid quantization mode 'xyz'.}
     *
     * @param op the op name for the message, e.g. {@code quantize}
     */
    public static QuantizationMode parse(String op, String mode) {
        for (QuantizationMode m : values()) {
            if (m.mlxName.equals(mode)) {
                return m;
            }
        }
        throw new IllegalArgumentException("[" + op + "] Invalid quantization mode '" + mode + "'.");
    }

    @Override
    public String toString() {
        return mlxName;
    }
}
