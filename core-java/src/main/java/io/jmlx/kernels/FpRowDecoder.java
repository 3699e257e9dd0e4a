package io.jmlx.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Decodes rows of a microscaled matrix exactly in float32: {@code element · scale (· global factor)}. */
final class FpRowDecoder implements RowDecoder {
    private final MemorySegment packed;
    private final MemorySegment scales;
    private final int cols;
    private final FpFormat format;
    private final float factor;
    private final int groups;
    private final long wordsPerRow;
    private final int[] codes;

    FpRowDecoder(MemorySegment packed, MemorySegment scales, int cols, FpFormat format, Float globalScale) {
        this.packed = packed;
        this.scales = scales;
        this.cols = cols;
        this.format = format;
        this.factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        this.groups = cols / format.groupSize();
        this.wordsPerRow = BitPacking.words(cols, format.bits());
        this.codes = new int[cols];
    }

    @Override
    public void decode(long r, float[] out) {
        BitPacking.unpackRow(packed, r * wordsPerRow, cols, format.bits(), codes);
        int g = format.groupSize();
        for (int group = 0, j = 0; group < groups; group++) {
            float scale = format.scale(scales.get(ValueLayout.JAVA_BYTE, r * groups + group) & 0xFF) * factor;
            for (int end = j + g; j < end; j++) {
                out[j] = format.element(codes[j]) * scale;
            }
        }
    }
}
