package io.jmlx.kernels;

import io.jmlx.DType;
import java.lang.foreign.MemorySegment;

/** Decodes rows of an affine-quantized matrix into floats, rounding each op to the scales' type. */
final class AffineRowDecoder implements RowDecoder {
    private final MemorySegment packed;
    private final MemorySegment scales;
    private final MemorySegment biases;
    private final DType dtype;
    private final int cols;
    private final int groupSize;
    private final int bits;
    private final int groups;
    private final long wordsPerRow;
    private final int[] codes;
    private final float[] rowScales;
    private final float[] rowBiases;

    AffineRowDecoder(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int cols,
            int groupSize,
            int bits) {
        this.packed = packed;
        this.scales = scales;
        this.biases = biases;
        this.dtype = dtype;
        this.cols = cols;
        this.groupSize = groupSize;
        this.bits = bits;
        this.groups = cols / groupSize;
        this.wordsPerRow = BitPacking.words(cols, bits);
        this.codes = new int[cols];
        this.rowScales = new float[groups];
        this.rowBiases = new float[groups];
    }

    @Override
    public void decode(long r, float[] out) {
        BitPacking.unpackRow(packed, r * wordsPerRow, cols, bits, codes);
        Elements.readRow(scales, dtype, r * groups, rowScales, groups);
        Elements.readRow(biases, dtype, r * groups, rowBiases, groups);
        for (int g = 0, j = 0; g < groups; g++) {
            float scale = rowScales[g];
            float bias = rowBiases[g];
            if (dtype == DType.FLOAT16 && Float.isFinite(scale) && Float.isFinite(bias)) {
                // No NaN can arise from finite scales and biases, so the plain conversions (vector instructions)
                // round exactly as FloatFormats.roundTo, whose NaN rule is the only difference.
                for (int end = j + groupSize; j < end; j++) {
                    float scaled = Float.float16ToFloat(Float.floatToFloat16(scale * codes[j]));
                    out[j] = Float.float16ToFloat(Float.floatToFloat16(scaled + bias));
                }
                continue;
            }
            for (int end = j + groupSize; j < end; j++) {
                float scaled = FloatFormats.roundTo(dtype, scale * codes[j]);
                out[j] = FloatFormats.roundTo(dtype, scaled + bias);
            }
        }
    }
}
