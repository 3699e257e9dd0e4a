package io.jmlx.quant;

import java.util.List;
import java.util.Objects;

/**
 * How a weight is quantized: group size, bits and mode, resolved (no defaults left open). The one value type for this
 * concept from {@link io.jmlx.Jmlx} through the ops, the kernels, {@link QuantizedArray}, the {@code nn} layers, the
 * checkpoint config and the command line; strings are parsed into it only at those edges ({@link #resolve(Integer,
 * Integer, String)}, {@link QuantizationMode#parse}).
 *
 * <p>MLX's {@code quantize} supports affine group sizes 32, 64 and 128 with 2–6 or 8 bits, and the microscaling
 * modes' fixed group size and bits: {@link #of} and {@link #resolve} accept exactly those (MLX's messages otherwise),
 * and the ops that quantize or multiply check {@link #requireSupported}. The constructor is as lenient as MLX's
 * {@code dequantize}, which decodes any positive group size and 1–8 bits in affine mode.
 *
 * @param groupSize weights per scale
 * @param bits      bits per weight
 * @param mode      the quantization mode
 */
public record QuantizationSettings(int groupSize, int bits, QuantizationMode mode) {
    /** MLX's defaults: affine, group size 64, 4 bits. */
    public static final QuantizationSettings DEFAULT = defaults(QuantizationMode.AFFINE);

    /**
     * Checks what any decoder needs: a mode, a positive group size, 1–8 bits, and a microscaling mode's fixed
     * settings (MLX's {@code [quantize] mxfp4 quantization requires group size 32 but got 64.}).
     *
     * @throws IllegalArgumentException otherwise
     */
    public QuantizationSettings {
        Objects.requireNonNull(mode, "mode");
        if (bits <= 0 || bits > 8) {
            throw new IllegalArgumentException("bits must be 1 to 8 but is " + bits);
        }
        if (groupSize <= 0) {
            throw new IllegalArgumentException("group size must be positive but is " + groupSize);
        }
        if (!mode.isAffine()) {
            requireSupported("quantize", groupSize, bits, mode);
        }
    }

    /**
     * Settings MLX's {@code quantize} supports.
     *
     * @throws IllegalArgumentException with MLX's {@code [quantize]} messages otherwise
     */
    public static QuantizationSettings of(int groupSize, int bits, QuantizationMode mode) {
        Objects.requireNonNull(mode, "mode");
        requireSupported("quantize", groupSize, bits, mode);
        return new QuantizationSettings(groupSize, bits, mode);
    }

    /** The mode's defaults (affine 64/4, mxfp4 32/4, mxfp8 32/8, nvfp4 16/4). */
    public static QuantizationSettings defaults(QuantizationMode mode) {
        return new QuantizationSettings(mode.defaultGroupSize(), mode.defaultBits(), mode);
    }

    /**
     * Resolves MLX-style optional arguments: a {@code null} group size or bits takes the mode's default, a
     * {@code null} mode is affine.
     *
     * @throws IllegalArgumentException with MLX's messages for an unsupported combination
     */
    public static QuantizationSettings resolve(Integer groupSize, Integer bits, QuantizationMode mode) {
        QuantizationMode m = mode == null ? QuantizationMode.AFFINE : mode;
        return of(m.groupSizeOr(groupSize), m.bitsOr(bits), m);
    }

    /**
     * {@link #resolve(Integer, Integer, QuantizationMode)} with MLX's mode string, parsed as MLX's model-level API
     * does (see {@link #parseMode}).
     */
    public static QuantizationSettings resolve(Integer groupSize, Integer bits, String mode) {
        return resolve(groupSize, bits, parseMode(mode));
    }

    /** True when MLX's {@code quantize} supports these settings. */
    public boolean isSupported() {
        return mode.supportedGroupSizes().contains(groupSize)
                && mode.supportedBits().contains(bits);
    }

    /**
     * Throws MLX's message naming {@code op} unless {@link #isSupported()}, e.g. {@code [quantized_matmul] The
     * requested number of bits 7 is not supported. The supported bits are 2, 3, 4, 5, 6 and 8.}
     */
    public QuantizationSettings requireSupported(String op) {
        requireSupported(op, groupSize, bits, mode);
        return this;
    }

    /**
     * MLX's checks of group size and bits for {@code mode}, with its messages: the supported table for affine, the
     * fixed settings of a microscaling mode ({@code [op] mxfp4 quantization requires group size 32 but got 64.}).
     */
    public static void requireSupported(String op, int groupSize, int bits, QuantizationMode mode) {
        if (!mode.isAffine()) {
            if (groupSize != mode.defaultGroupSize()) {
                throw new IllegalArgumentException("[" + op + "] " + mode + " quantization requires group size "
                        + mode.defaultGroupSize() + " but got " + groupSize + ".");
            }
            if (bits != mode.defaultBits()) {
                throw new IllegalArgumentException("[" + op + "] " + mode + " quantization requires bits to be "
                        + mode.defaultBits() + " but got " + bits + ".");
            }
            return;
        }
        if (!mode.supportedGroupSizes().contains(groupSize)) {
            throw new IllegalArgumentException("[" + op + "] The requested group size " + groupSize
                    + " is not supported. The supported group sizes are " + list(mode.supportedGroupSizes(), ", and ")
                    + ".");
        }
        if (!mode.supportedBits().contains(bits)) {
            throw new IllegalArgumentException("[" + op + "] The requested number of bits " + bits
                    + " is not supported. The supported bits are " + list(mode.supportedBits(), " and ") + ".");
        }
    }

    /** MLX's enumerations: {@code 32, 64, and 128} (group sizes), {@code 2, 3, 4, 5, 6 and 8} (bits). */
    private static String list(List<Integer> values, String lastSeparator) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            out.append(i == 0 ? "" : i == values.size() - 1 ? lastSeparator : ", ")
                    .append(values.get(i));
        }
        return out.toString();
    }

    /**
     * MLX's model-level mode parsing ({@code nn.quantize}, {@code to_quantized}): {@code null} is affine; an unknown
     * mode gets {@code Invalid quantization mode 'x'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.}
     */
    public static QuantizationMode parseMode(String mode) {
        if (mode == null) {
            return QuantizationMode.AFFINE;
        }
        for (QuantizationMode m : QuantizationMode.values()) {
            if (m.mlxName().equals(mode)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "Invalid quantization mode '" + mode + "'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.");
    }

    /**
     * The element type in words, e.g. {@code affine u4 (group 64)} or {@code mxfp4 e2m1 (group 32)}: affine codes
     * are unsigned integers (with a bias per group), mxfp4 and nvfp4 codes E2M1 floats, mxfp8 codes E4M3 floats.
     */
    public String describeElements() {
        String element = switch (mode) {
            case AFFINE -> "u" + bits;
            case MXFP4, NVFP4 -> "e2m1";
            case MXFP8 -> "e4m3";
        };
        return mode + " " + element + " (group " + groupSize + ")";
    }

    /** E.g. {@code affine, group size 64, 4 bits}. */
    @Override
    public String toString() {
        return mode + ", group size " + groupSize + ", " + bits + " bits";
    }
}
