package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.Tensor;
import io.jmlx.stream.StreamOrDevice;
import java.util.Arrays;

/**
 * A quantized matrix (or stack of matrices) that knows what it stands for: its logical shape and element type,
 * the packed codes, scales (and affine biases, or nvfp4's global scale), group size, bits and mode. {@link Jmlx#matmul(Tensor, Tensor)} multiplies
 * by it directly on the packed data.
 *
 * <p>The codes are quantized along the last axis of the <em>stored</em> matrix, MLX's layout. A weight stored
 * {@code [out, in]} (as in a linear layer) has logical shape {@code [out, in]}; {@link #transpose()} gives the
 * logical {@code [in, out]} view, so {@code matmul(x, w.transpose())} is {@code x @ Wᵀ} (MLX's
 * {@code transpose=true}) while {@code matmul(x, w)} is {@code x @ W}.
 *
 * <pre>{@code
 * QuantizedArray w = QuantizedArray.fromDense(weight, 64, 4);       // weight: [out, in]
 * Array y = Jmlx.matmul(x, w.transpose());                          // x: [batch, in] -> [batch, out]
 * }</pre>
 */
public final class QuantizedArray implements Tensor {
    private static final String OP_QUANTIZE = "quantize";
    private static final String FROM_PARTS = "QuantizedArray.fromParts";

    private final Array packed;
    private final Array scales;
    private final Array biases;
    private final Array globalScale;
    private final QuantizationSettings settings;
    private final DType dtype;
    private final boolean transposed;

    private QuantizedArray(
            Array packed,
            Array scales,
            Array biases,
            Array globalScale,
            QuantizationSettings settings,
            DType dtype,
            boolean transposed) {
        this.packed = packed;
        this.scales = scales;
        this.biases = biases;
        this.globalScale = globalScale;
        this.settings = settings;
        this.dtype = dtype;
        this.transposed = transposed;
    }

    /** Quantizes a dense weight with MLX's defaults (affine, group size 64, 4 bits). */
    public static QuantizedArray fromDense(Array w) {
        return fromDense(w, QuantizationSettings.DEFAULT);
    }

    /** Quantizes a dense weight in affine mode. */
    public static QuantizedArray fromDense(Array w, int groupSize, int bits) {
        return fromDense(w, groupSize, bits, "affine", null, null);
    }

    /** Quantizes a dense weight in {@code mode} ({@code affine}, {@code mxfp4}, {@code mxfp8}, {@code nvfp4}) with its defaults. */
    public static QuantizedArray fromDense(Array w, String mode) {
        return fromDense(w, null, null, mode, null, null);
    }

    /** Quantizes a dense weight ({@code [..., rows, K]}, float) along its last axis with {@code settings}. */
    public static QuantizedArray fromDense(Array w, QuantizationSettings settings) {
        return fromDense(w, settings, null, null);
    }

    /**
     * Quantizes a dense weight with {@code settings} on the given stream or device ({@code null}: the default).
     *
     * @param globalScale nvfp4 only: an optional float32 scalar, kept with the array; {@code null} for none
     */
    public static QuantizedArray fromDense(
            Array w, QuantizationSettings settings, Array globalScale, StreamOrDevice s) {
        QuantizedParts parts = Jmlx.quantize(w, settings, globalScale, s);
        return new QuantizedArray(
                parts.packed(), parts.scales(), parts.biases(), globalScale, settings, w.dtype(), false);
    }

    /**
     * MLX-style: quantizes a dense weight ({@code [..., rows, K]}, float) along its last axis.
     *
     * @param groupSize   {@code null} for the mode's default
     * @param bits        {@code null} for the mode's default
     * @param globalScale nvfp4 only: an optional float32 scalar, kept with the array; {@code null} for none
     */
    public static QuantizedArray fromDense(
            Array w, Integer groupSize, Integer bits, String mode, Array globalScale, StreamOrDevice s) {
        QuantizationMode m = QuantizationMode.parse(OP_QUANTIZE, mode);
        QuantizedParts parts = Jmlx.quantize(w, groupSize, bits, mode, globalScale, s);
        return new QuantizedArray(
                parts.packed(),
                parts.scales(),
                parts.biases(),
                globalScale,
                new QuantizationSettings(m.groupSizeOr(groupSize), m.bitsOr(bits), m),
                w.dtype(),
                false);
    }

    /**
     * Wraps affine parts computed earlier (e.g. read from an MLX checkpoint), checking that they fit together:
     * packed uint32 codes {@code [..., rows, K*bits/32]}, floating scales and biases {@code [..., rows, K/groupSize]}.
     */
    public static QuantizedArray fromParts(
            Array packed, Array scales, Array biases, int groupSize, int bits, String mode) {
        return fromParts(packed, scales, biases, null, groupSize, bits, mode);
    }

    /**
     * Wraps parts computed earlier, in any mode: affine needs floating scales and biases; the microscaling modes
     * need uint8 scales, no biases, their fixed group size and bits, and optionally (nvfp4) a float32 global scale.
     * The dense type is the scales' for affine and bfloat16 (MLX's default) otherwise.
     */
    public static QuantizedArray fromParts(
            Array packed, Array scales, Array biases, Array globalScale, int groupSize, int bits, String mode) {
        return fromParts(
                packed, scales, biases, globalScale, groupSize, bits, QuantizationMode.parse(FROM_PARTS, mode));
    }

    /** {@link #fromParts(Array, Array, Array, Array, int, int, String)} with resolved settings. */
    public static QuantizedArray fromParts(
            Array packed, Array scales, Array biases, Array globalScale, QuantizationSettings settings) {
        return fromParts(packed, scales, biases, globalScale, settings.groupSize(), settings.bits(), settings.mode());
    }

    private static QuantizedArray fromParts(
            Array packed, Array scales, Array biases, Array globalScale, int groupSize, int bits, QuantizationMode m) {
        String op = FROM_PARTS;
        DType affineType = QuantChecks.checkScales(op, m, scales, biases);
        QuantChecks.checkGlobalScale(op, m, globalScale);
        if (!m.isAffine()) {
            QuantizationSettings.requireSupported(op, groupSize, bits, m);
        }
        if (packed.dtype() != DType.UINT32) {
            throw new IllegalArgumentException(
                    "[" + op + "] packed must be uint32 but has type " + packed.dtype() + ".");
        }
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("[" + op + "] bits must be 1 to 8 but is " + bits + ".");
        }
        if (groupSize <= 0) {
            throw new IllegalArgumentException("[" + op + "] groupSize must be positive but is " + groupSize + ".");
        }
        int[] p = packed.shape();
        int[] sc = scales.shape();
        if (p.length < 2) {
            throw new IllegalArgumentException(
                    "[" + op + "] packed must have at least 2 dimensions but has shape " + Shape.format(p) + ".");
        }
        if (biases != null && !Arrays.equals(sc, biases.shape())) {
            throw new IllegalArgumentException("[" + op + "] scales " + Shape.format(sc) + " and biases "
                    + Shape.format(biases.shape()) + " must have the same shape.");
        }
        long k = QuantChecks.codesPerRow(p[p.length - 1], bits);
        boolean fits = sc.length == p.length
                && Arrays.equals(Arrays.copyOf(sc, sc.length - 1), Arrays.copyOf(p, p.length - 1))
                && k >= 0
                && k == (long) sc[sc.length - 1] * groupSize;
        if (!fits) {
            throw new IllegalArgumentException("[" + op + "] scales" + (biases == null ? "" : " and biases")
                    + " of shape " + Shape.format(sc) + " do not fit packed codes of shape " + Shape.format(p)
                    + " with group_size=" + groupSize + " and bits=" + bits + ": expected scales of shape "
                    + (k < 0
                            ? "none: " + p[p.length - 1] + " words do not hold a whole number of " + bits + "-bit codes"
                            : Shape.format(Shape.withLast(p, (int) (k / groupSize))))
                    + ".");
        }
        DType dense = affineType != null ? affineType : globalScale != null ? DType.FLOAT32 : DType.BFLOAT16;
        return new QuantizedArray(
                packed, scales, biases, globalScale, new QuantizationSettings(groupSize, bits, m), dense, false);
    }

    /** The packed uint32 codes, as stored (MLX's {@code w_q}). */
    public Array packed() {
        return packed;
    }

    /** Per-group scales, as stored. */
    public Array scales() {
        return scales;
    }

    /** Per-group biases, as stored; {@code null} in the microscaling modes. */
    public Array biases() {
        return biases;
    }

    /** nvfp4's global scale, or {@code null}. */
    public Array globalScale() {
        return globalScale;
    }

    /** How the codes are quantized: group size, bits and mode. */
    public QuantizationSettings settings() {
        return settings;
    }

    /** Number of consecutive weights sharing one scale and bias. */
    public int groupSize() {
        return settings.groupSize();
    }

    /** Bits per code. */
    public int bits() {
        return settings.bits();
    }

    /** The quantization mode. */
    public QuantizationMode mode() {
        return settings.mode();
    }

    /** True for the logical-transposed view made by {@link #transpose()}. */
    public boolean isTransposed() {
        return transposed;
    }

    /** The logical transpose (last two axes swapped); no data is moved. */
    public QuantizedArray transpose() {
        return new QuantizedArray(packed, scales, biases, globalScale, settings, dtype, !transposed);
    }

    /** The shape of the stored (quantized-along-last-axis) matrix: {@code [..., rows, K]}. */
    public int[] storedShape() {
        return Shape.withLast(packed.shape(), packed.dim(-1) * 32 / settings.bits());
    }

    @Override
    public int[] shape() {
        int[] s = storedShape();
        if (transposed) {
            int last = s[s.length - 1];
            s[s.length - 1] = s[s.length - 2];
            s[s.length - 2] = last;
        }
        return s;
    }

    /**
     * The type of the dense equivalent: the original weight's when made by {@link #fromDense}; otherwise the
     * scales' type (affine) or bfloat16 (MLX's default for the microscaling modes).
     */
    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public boolean isQuantized() {
        return true;
    }

    /** The dense equivalent (logical shape, {@link #dtype()}). */
    public Array dequantize() {
        Array stored = Jmlx.dequantize(new QuantizedParts(packed, scales, biases), settings, globalScale, dtype, null);
        return transposed ? Jmlx.matrixTranspose(stored) : stored;
    }

    /** {@code x @ this}, on the packed data (MLX's {@code quantized_matmul}). */
    public Array rightMatmul(Array x, StreamOrDevice s) {
        return Jmlx.matmul(x, this, s);
    }

    @Override
    public String toString() {
        return "QuantizedArray(shape=" + Shape.format(shape()) + ", " + settings.describeElements() + ", dtype="
                + dtype() + ")";
    }
}
