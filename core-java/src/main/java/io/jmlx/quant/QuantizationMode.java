package io.jmlx.quant;

import java.util.List;

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
    AFFINE("affine", 64, 4, List.of(32, 64, 128), List.of(2, 3, 4, 5, 6, 8)),
    MXFP4("mxfp4", 32, 4, List.of(32), List.of(4)),
    MXFP8("mxfp8", 32, 8, List.of(32), List.of(8)),
    NVFP4("nvfp4", 16, 4, List.of(16), List.of(4));

    private final String mlxName;
    private final int defaultGroupSize;
    private final int defaultBits;
    private final List<Integer> groupSizes;
    private final List<Integer> bits;

    QuantizationMode(
            String mlxName, int defaultGroupSize, int defaultBits, List<Integer> groupSizes, List<Integer> bits) {
        this.mlxName = mlxName;
        this.defaultGroupSize = defaultGroupSize;
        this.defaultBits = defaultBits;
        this.groupSizes = groupSizes;
        this.bits = bits;
    }

    /** True for {@code affine}, the only mode with biases. */
    public boolean isAffine() {
        return this == AFFINE;
    }

    /**
     * The group sizes MLX's {@code quantize} supports in this mode (the one table of supported settings, with
     * {@link #supportedBits()}): 32, 64 and 128 for affine; the fixed size of a microscaling mode.
     */
    public List<Integer> supportedGroupSizes() {
        return groupSizes;
    }

    /** The bits MLX's {@code quantize} supports in this mode: 2, 3, 4, 5, 6 and 8 for affine; the fixed bits otherwise. */
    public List<Integer> supportedBits() {
        return bits;
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
