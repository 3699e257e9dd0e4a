package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The group scales (and affine biases) of a packed weight, one row of groups at a time, as float32: what
 * {@link PackedRowMatmul} multiplies its per-group sums by.
 */
sealed interface RowScales {
    /** Groups per row. */
    int groups();

    /** Weights per group. */
    int groupSize();

    /** True when the weight has biases (affine). */
    boolean biased();

    /**
     * Writes the scales of rows {@code [from, from + rows)} into {@code scales} (row after row) and, when
     * {@link #biased}, their biases into {@code biases}.
     */
    void read(long from, int rows, float[] scales, float[] biases);

    /** Affine scales and biases of {@code dtype} (float32, float16 or bfloat16). */
    static RowScales affine(MemorySegment scales, MemorySegment biases, DType dtype, int groups, int groupSize) {
        return new Affine(scales, biases, dtype, groups, groupSize);
    }

    /** Microscaled scale bytes, decoded as {@code format} says and times nvfp4's global factor when given. */
    static RowScales microscaled(MemorySegment scales, FpFormat format, Float globalScale, int groups) {
        float factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        float[] values = new float[256];
        for (int code = 0; code < 256; code++) {
            values[code] = format.scale(code) * factor;
        }
        return new Microscaled(scales, values, groups, format.groupSize());
    }

    /** {@link #affine}. */
    record Affine(MemorySegment scales, MemorySegment biases, DType dtype, int groups, int groupSize)
            implements RowScales {
        @Override
        public boolean biased() {
            return true;
        }

        @Override
        public void read(long from, int rows, float[] scaleRows, float[] biasRows) {
            long at = from * groups * dtype.byteSize();
            HalfVectors.widenRow(scales, at, dtype, scaleRows, rows * groups);
            HalfVectors.widenRow(biases, at, dtype, biasRows, rows * groups);
        }
    }

    /** {@link #microscaled}: {@code values} maps a scale byte to its float. */
    record Microscaled(MemorySegment scales, float[] values, int groups, int groupSize) implements RowScales {
        @Override
        public boolean biased() {
            return false;
        }

        @Override
        public void read(long from, int rows, float[] scaleRows, float[] biasRows) {
            long at = from * groups;
            for (int i = 0; i < rows * groups; i++) {
                scaleRows[i] = values[scales.get(ValueLayout.JAVA_BYTE, at + i) & 0xFF];
            }
        }
    }
}
