package io.jmlx.quant;

/**
 * The element type of a {@link QuantizedArray}: {@code bits}-bit codes in groups of {@code groupSize} sharing a
 * scale. Affine codes are unsigned integers (with a bias per group); mxfp4 and nvfp4 codes are E2M1 floats, mxfp8
 * codes E4M3 floats.
 */
public record QuantizedElementType(QuantizationMode mode, int bits, int groupSize) {
    /** For example {@code affine u4 (group 64)} or {@code mxfp4 e2m1 (group 32)}. */
    @Override
    public String toString() {
        String element = switch (mode) {
            case AFFINE -> "u" + bits;
            case MXFP4, NVFP4 -> "e2m1";
            case MXFP8 -> "e4m3";
        };
        return mode + " " + element + " (group " + groupSize + ")";
    }
}
