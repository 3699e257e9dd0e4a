package io.jmlx.quant;

import io.jmlx.kernels.FpFormat;

/**
 * MLX's quantization modes with their default group size and bits.
 * <ul>
 *   <li>{@code affine} (MLX's default): each group of {@code groupSize} weights has a float scale and bias and
 *       b-bit codes, {@code w ≈ scale · code + bias}; group size 32/64/128, bits 2–6 or 8.</li>
 *   <li>{@code mxfp4}, {@code mxfp8}, {@code nvfp4}: microscaling floats without biases; FP4 (E2M1) or FP8 (E4M3)
 *       elements with a uint8 scale per group: a power of two (E8M0, groups of 32) for the mx modes, an E4M3
 *       float (groups of 16, optional float32 global scale) for nvfp4. Group size and bits are fixed.</li>
 * </ul>
 *
 * <p>jmlx reproduces MLX's <b>CPU</b> backend byte for byte. MLX's Metal kernels differ in the microscaling
 * modes: FP4 ties round to even there (0.75 → 1.0) where the CPU takes the lower table entry (0.75 → 0.5), an
 * all-zero mx group gets scale byte 0 instead of 127, and elements are multiplied by the reciprocal scale instead
 * of divided (last-bit differences); in affine mode Metal rounds half away from zero and clamps each group's
 * maximum at 0. Both backends choose the mx scale as {@code 2^round(log2(amax/max))}, not the OCP MX rule
 * {@code floor(log2(amax)) − emax}, so MLX's mx scales differ from other MX encoders.
 */
public enum QuantizationMode {
    AFFINE("affine", 64, 4, null),
    MXFP4("mxfp4", 32, 4, FpFormat.MXFP4),
    MXFP8("mxfp8", 32, 8, FpFormat.MXFP8),
    NVFP4("nvfp4", 16, 4, FpFormat.NVFP4);

    private final String mlxName;
    private final int defaultGroupSize;
    private final int defaultBits;
    private final FpFormat fpFormat;

    QuantizationMode(String mlxName, int defaultGroupSize, int defaultBits, FpFormat fpFormat) {
        this.mlxName = mlxName;
        this.defaultGroupSize = defaultGroupSize;
        this.defaultBits = defaultBits;
        this.fpFormat = fpFormat;
    }

    /** True for {@code affine}, the only mode with biases. */
    public boolean isAffine() {
        return this == AFFINE;
    }

    /** The microscaling format of a non-affine mode ({@code null} for affine). */
    public FpFormat fpFormat() {
        return fpFormat;
    }

    /**
     * Checks a non-affine mode's fixed group size and bits with MLX's messages, e.g.
     * {@code [quantize] mxfp4 quantization requires group size 32 but got 64.}
     */
    void checkFixedSettings(String op, int groupSize, int bits) {
        if (groupSize != defaultGroupSize) {
            throw new IllegalArgumentException("[" + op + "] " + mlxName + " quantization requires group size "
                    + defaultGroupSize + " but got " + groupSize + ".");
        }
        if (bits != defaultBits) {
            throw new IllegalArgumentException("[" + op + "] " + mlxName + " quantization requires bits to be "
                    + defaultBits + " but got " + bits + ".");
        }
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
