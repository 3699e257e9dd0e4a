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
 * the packed codes, scales and biases, group size, bits and mode. {@link Jmlx#matmul(Tensor, Tensor)} multiplies
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
    private final Array packed;
    private final Array scales;
    private final Array biases;
    private final int groupSize;
    private final int bits;
    private final QuantizationMode mode;
    private final boolean transposed;

    private QuantizedArray(Array packed, Array scales, Array biases, int groupSize, int bits, QuantizationMode mode,
                           boolean transposed) {
        this.packed = packed;
        this.scales = scales;
        this.biases = biases;
        this.groupSize = groupSize;
        this.bits = bits;
        this.mode = mode;
        this.transposed = transposed;
    }

    /** Quantizes a dense weight with MLX's defaults (affine, group size 64, 4 bits). */
    public static QuantizedArray fromDense(Array w) {
        return fromDense(w, null, null, "affine", null);
    }

    /** Quantizes a dense weight in affine mode. */
    public static QuantizedArray fromDense(Array w, int groupSize, int bits) {
        return fromDense(w, groupSize, bits, "affine", null);
    }

    /**
     * Quantizes a dense weight ({@code [..., rows, K]}, float) along its last axis.
     *
     * @param groupSize {@code null} for the mode's default
     * @param bits      {@code null} for the mode's default
     */
    public static QuantizedArray fromDense(Array w, Integer groupSize, Integer bits, String mode, StreamOrDevice s) {
        QuantizedParts parts = QuantizeOp.quantize(w, groupSize, bits, mode, s);
        QuantizationMode m = QuantizationMode.parse(QuantizeOp.NAME, mode);
        return new QuantizedArray(parts.packed(), parts.scales(), parts.biases(), m.groupSizeOr(groupSize),
                m.bitsOr(bits), m, false);
    }

    /**
     * Wraps parts computed earlier (e.g. read from an MLX checkpoint), checking that they fit together: packed
     * uint32 codes {@code [..., rows, K*bits/32]}, floating scales and biases {@code [..., rows, K/groupSize]}.
     */
    public static QuantizedArray fromParts(Array packed, Array scales, Array biases, int groupSize, int bits,
                                           String mode) {
        String op = "QuantizedArray.fromParts";
        QuantizationMode m = QuantizationMode.parse(op, mode);
        DequantizeOp.checkScaleTypes(op, scales, biases);
        if (packed.dtype() != DType.UINT32) {
            throw new IllegalArgumentException("[" + op + "] packed must be uint32 but has type " + packed.dtype() + ".");
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
            throw new IllegalArgumentException("[" + op + "] packed must have at least 2 dimensions but has shape "
                    + Shape.format(p) + ".");
        }
        if (!Arrays.equals(sc, biases.shape())) {
            throw new IllegalArgumentException("[" + op + "] scales " + Shape.format(sc) + " and biases "
                    + Shape.format(biases.shape()) + " must have the same shape.");
        }
        long k = AffineChecks.codesPerRow(p[p.length - 1], bits);
        boolean fits = sc.length == p.length
                && Arrays.equals(Arrays.copyOf(sc, sc.length - 1), Arrays.copyOf(p, p.length - 1))
                && k >= 0 && k == (long) sc[sc.length - 1] * groupSize;
        if (!fits) {
            throw new IllegalArgumentException("[" + op + "] scales and biases of shape " + Shape.format(sc)
                    + " do not fit packed codes of shape " + Shape.format(p) + " with group_size=" + groupSize
                    + " and bits=" + bits + ": expected scales of shape "
                    + (k < 0 ? "none: " + p[p.length - 1] + " words do not hold a whole number of " + bits + "-bit codes"
                    : Shape.format(Shape.withLast(p, (int) (k / groupSize)))) + ".");
        }
        return new QuantizedArray(packed, scales, biases, groupSize, bits, m, false);
    }

    /** The packed uint32 codes, as stored (MLX's {@code w_q}). */
    public Array packed() {
        return packed;
    }

    /** Per-group scales, as stored. */
    public Array scales() {
        return scales;
    }

    /** Per-group biases, as stored. */
    public Array biases() {
        return biases;
    }

    /** Number of consecutive weights sharing one scale and bias. */
    public int groupSize() {
        return groupSize;
    }

    /** Bits per code. */
    public int bits() {
        return bits;
    }

    /** The quantization mode. */
    public QuantizationMode mode() {
        return mode;
    }

    /** The element type: unsigned {@link #bits()}-bit codes of {@link #mode()}. */
    public QuantizedElementType elementType() {
        return new QuantizedElementType(mode, bits, groupSize);
    }

    /** True for the logical-transposed view made by {@link #transpose()}. */
    public boolean isTransposed() {
        return transposed;
    }

    /** The logical transpose (last two axes swapped); no data is moved. */
    public QuantizedArray transpose() {
        return new QuantizedArray(packed, scales, biases, groupSize, bits, mode, !transposed);
    }

    /** The shape of the stored (quantized-along-last-axis) matrix: {@code [..., rows, K]}. */
    public int[] storedShape() {
        return Shape.withLast(packed.shape(), packed.dim(-1) * 32 / bits);
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

    /** The type the dense equivalent has: the scales' type. */
    @Override
    public DType dtype() {
        return DType.promote(scales.dtype(), biases.dtype());
    }

    @Override
    public boolean isQuantized() {
        return true;
    }

    /** The dense equivalent (logical shape, scales' type). */
    public Array dequantize() {
        Array stored = DequantizeOp.dequantize(packed, scales, biases, groupSize, bits, mode.mlxName(), null, null);
        return transposed ? Jmlx.matrixTranspose(stored) : stored;
    }

    /** {@code x @ this}, on the packed data (MLX's {@code quantized_matmul}). */
    public Array rightMatmul(Array x, StreamOrDevice s) {
        return QuantizedMatmulOp.quantizedMatmul(x, packed, scales, biases, transposed, groupSize, bits,
                mode.mlxName(), s);
    }

    @Override
    public String toString() {
        return "QuantizedArray(shape=" + Shape.format(shape()) + ", " + elementType() + ", dtype=" + dtype() + ")";
    }
}
