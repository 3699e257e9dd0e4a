package io.jmlx.quant;

/**
 * The element type of a {@link QuantizedArray}: unsigned {@code bits}-bit codes in groups of {@code groupSize}
 * sharing a scale (and, in affine mode, a bias).
 */
public record QuantizedElementType(QuantizationMode mode, int bits, int groupSize) {
    /** For example {@code affine u4 (group 64)}. */
    @Override
    public String toString() {
        return mode + " u" + bits + " (group " + groupSize + ")";
    }
}
