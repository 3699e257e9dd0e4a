package io.jmlx.quant.method;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import java.lang.foreign.MemorySegment;

/**
 * The output of a quantization method in MLX's affine layout, filled one row at a time: packed uint32 codes
 * {@code [..., K·bits/32]} (MLX's bit stream, {@link BitPacking}) and scales and biases {@code [..., K/groupSize]}
 * of the weight's dtype. Rows are independent, so different threads may fill different rows.
 */
final class AffineLayout {
    private final int cols;
    private final int groups;
    private final int bits;
    private final long wordsPerRow;
    private final DType dtype;
    private final Array packed;
    private final Array scales;
    private final Array biases;
    private final MemorySegment packedData;
    private final MemorySegment scaleData;
    private final MemorySegment biasData;

    /** Room for {@code w}'s quantization with {@code settings} (checked by {@link #check}). */
    AffineLayout(Array w, QuantizationSettings settings) {
        int[] shape = w.shape();
        this.cols = shape[shape.length - 1];
        this.groups = cols / settings.groupSize();
        this.bits = settings.bits();
        this.wordsPerRow = BitPacking.words(cols, bits);
        this.dtype = w.dtype();
        this.packed = Array.zeros(DType.UINT32, Shape.withLast(shape, (int) wordsPerRow));
        this.scales = Array.zeros(dtype, Shape.withLast(shape, groups));
        this.biases = Array.zeros(dtype, Shape.withLast(shape, groups));
        this.packedData = packed.data();
        this.scaleData = scales.data();
        this.biasData = biases.data();
    }

    /**
     * Checks that {@code method} can quantize {@code w} with {@code settings}: affine mode, a float32, float16 or
     * bfloat16 weight of at least two dimensions whose last one the group size divides.
     *
     * @throws IllegalArgumentException naming the method and what does not fit
     */
    static void check(String method, Array w, QuantizationSettings settings) {
        if (!settings.mode().isAffine()) {
            throw new IllegalArgumentException("[" + method + "] quantizes in affine mode only but was asked for "
                    + settings.mode() + "; use rtn for the microscaling modes.");
        }
        DType t = w.dtype();
        if (t != DType.FLOAT32 && t != DType.FLOAT16 && t != DType.BFLOAT16) {
            throw new IllegalArgumentException(
                    "[" + method + "] w must be float32, float16 or bfloat16 but has type " + t + ".");
        }
        int[] shape = w.shape();
        if (shape.length < 2 || shape[shape.length - 1] % settings.groupSize() != 0) {
            throw new IllegalArgumentException("[" + method + "] w must have at least 2 dimensions and a last "
                    + "dimension divisible by the group size " + settings.groupSize() + " but has shape "
                    + Shape.format(shape) + ".");
        }
    }

    /** Stores row {@code row}: {@code codes[0, K)}, and its groups' scales and biases (values of the dtype). */
    void putRow(long row, int[] codes, float[] rowScales, float[] rowBiases) {
        BitPacking.packRow(codes, cols, bits, packedData, row * wordsPerRow);
        Elements.writeRow(rowScales, groups, scaleData, dtype, row * groups);
        Elements.writeRow(rowBiases, groups, biasData, dtype, row * groups);
    }

    /** Copies row {@code row} of {@code source} (parts of the same shapes) into this layout, through the scratch arrays. */
    void copyRow(QuantizedParts source, long row, int[] codes, float[] rowScales, float[] rowBiases) {
        BitPacking.unpackRow(source.packed().data(), row * wordsPerRow, cols, bits, codes);
        Elements.readRow(source.scales().data(), dtype, row * groups, rowScales, groups);
        Elements.readRow(source.biases().data(), dtype, row * groups, rowBiases, groups);
        putRow(row, codes, rowScales, rowBiases);
    }

    /** The filled parts, as {@code quantize} returns them. */
    QuantizedParts parts() {
        return new QuantizedParts(packed, scales, biases);
    }
}
