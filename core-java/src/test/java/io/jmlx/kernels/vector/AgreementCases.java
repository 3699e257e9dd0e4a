package io.jmlx.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.KernelSet;
import io.jmlx.kernels.ScalarKernels;
import io.jmlx.testing.Segments;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Inputs with awkward values for comparing {@link VectorKernels} with {@link ScalarKernels}, and the comparisons:
 * both kernels are called directly on native segments, so the check does not depend on {@code -Djmlx.kernels}.
 */
final class AgreementCases {
    private AgreementCases() {}

    static final KernelSet VECTOR = new VectorKernels();
    static final KernelSet SCALAR = new ScalarKernels();

    /** Row kinds of {@link #weights}. */
    static final int KINDS = 10;

    /**
     * A {@code rows × cols} matrix of {@code dtype} whose rows cycle through kinds (starting at {@code seed}):
     * shifted and centred Gaussians and uniform values of the given magnitude, constant rows, all-zero rows
     * (with -0), rows of exact code ties ({@code (k + 0.5)·0.125} between 0 and {@code n·0.125}), tiny values
     * (subnormal in float32 and float16), values near the type's overflow, rows below MLX's 1e-7 scale floor
     * (q0 = 0), and, when {@code nonFinite}, rows with NaN and infinities.
     */
    static MemorySegment weights(
            DType dtype, int rows, int cols, int bits, long seed, float magnitude, boolean nonFinite) {
        Random random = new Random(seed);
        MemorySegment w = Segments.allocate((long) rows * cols, dtype);
        int n = (1 << bits) - 1;
        float huge = dtype == DType.FLOAT16 ? 6e4f : 3e38f;
        for (int r = 0; r < rows; r++) {
            int kind = (int) Math.floorMod(seed + r, (long) (nonFinite ? KINDS : KINDS - 1));
            float offset = (float) random.nextGaussian() * magnitude;
            float constant = (float) random.nextGaussian() * magnitude;
            for (int j = 0; j < cols; j++) {
                float v = switch (kind) {
                    case 0 -> offset + (float) random.nextGaussian() * magnitude;
                    case 1 -> (float) (random.nextDouble() * 2 - 1) * magnitude;
                    case 2 -> constant;
                    case 3 -> random.nextBoolean() ? 0f : -0f;
                    case 4 ->
                        0.125f
                                * switch (j % 32) {
                                    case 0 -> 0;
                                    case 1 -> n;
                                    default -> random.nextInt(n) + 0.5f;
                                };
                    case 5 -> (float) random.nextGaussian() * (dtype == DType.FLOAT16 ? 1e-6f : 1e-40f);
                    case 6 ->
                        switch (j % 4) {
                            case 0 -> huge;
                            case 1 -> -huge;
                            default -> (float) random.nextGaussian() * (huge / 8);
                        };
                    case 7 -> j % 3 == 0 ? 0f : (float) random.nextGaussian() * 2e-8f;
                    case 8 -> random.nextInt(8) == 0 ? huge : constant;
                    default ->
                        switch (random.nextInt(12)) {
                            case 0 -> Float.NaN;
                            case 1 -> Float.POSITIVE_INFINITY;
                            case 2 -> Float.NEGATIVE_INFINITY;
                            default -> (float) random.nextGaussian() * magnitude;
                        };
                };
                Elements.setFloat(w, dtype, (long) r * cols + j, v);
            }
        }
        return w;
    }

    /** Random bytes. */
    static MemorySegment randomBytes(long bytes, long seed) {
        Random random = new Random(seed);
        MemorySegment seg = Segments.allocate(bytes, DType.UINT8);
        for (long i = 0; i < bytes; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
        return seg;
    }

    /**
     * {@code count} scales or biases of {@code dtype}: Gaussians of several magnitudes, zeros, subnormals, values
     * whose products overflow, and (when {@code special}) a few infinities and NaNs.
     */
    static MemorySegment parameters(DType dtype, long count, long seed, boolean special) {
        Random random = new Random(seed);
        MemorySegment seg = Segments.allocate(count, dtype);
        float big = dtype == DType.FLOAT16 ? 3e3f : 3e36f;
        for (long i = 0; i < count; i++) {
            float v = switch (random.nextInt(special ? 9 : 7)) {
                case 0 -> 0f;
                case 1 -> (float) random.nextGaussian() * 1e-3f;
                case 2 -> (float) random.nextGaussian() * 30f;
                case 3 -> (float) random.nextGaussian() * big;
                case 4 -> (float) random.nextGaussian() * (dtype == DType.FLOAT16 ? 1e-6f : 1e-39f);
                case 5 -> -(float) random.nextGaussian();
                case 6 -> (float) random.nextGaussian();
                case 7 -> random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                default -> Float.NaN;
            };
            Elements.setFloat(seg, dtype, i, v);
        }
        return seg;
    }

    /** Both kernels quantize {@code w}; their packed words, scales and biases must be the same bytes. */
    static void assertAffineQuantizeAgrees(
            MemorySegment w, DType dtype, int rows, int cols, int groupSize, int bits, String label) {
        long words = rows * BitPacking.words(cols, bits);
        long groups = (long) rows * (cols / groupSize);
        MemorySegment[] expected = {
            Segments.allocate(words, DType.UINT32), Segments.allocate(groups, dtype), Segments.allocate(groups, dtype)
        };
        MemorySegment[] actual = {
            Segments.allocate(words, DType.UINT32), Segments.allocate(groups, dtype), Segments.allocate(groups, dtype)
        };
        String scalarError = error(() ->
                SCALAR.affineQuantize(w, dtype, rows, cols, groupSize, bits, expected[0], expected[1], expected[2]));
        String vectorError = error(
                () -> VECTOR.affineQuantize(w, dtype, rows, cols, groupSize, bits, actual[0], actual[1], actual[2]));
        assertEquals(scalarError, vectorError, label + ": error");
        if (scalarError == null) {
            assertSame(expected[0], actual[0], 4, label + ": packed");
            assertSame(expected[1], actual[1], dtype.byteSize(), label + ": scales");
            assertSame(expected[2], actual[2], dtype.byteSize(), label + ": biases");
        }
    }

    /** Both kernels dequantize the same parts; the outputs must be the same bytes. */
    static void assertAffineDequantizeAgrees(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int rows,
            int cols,
            int groupSize,
            int bits,
            String label) {
        MemorySegment expected = Segments.allocate((long) rows * cols, dtype);
        MemorySegment actual = Segments.allocate((long) rows * cols, dtype);
        SCALAR.affineDequantize(packed, scales, biases, dtype, rows, cols, groupSize, bits, expected);
        VECTOR.affineDequantize(packed, scales, biases, dtype, rows, cols, groupSize, bits, actual);
        assertSame(expected, actual, dtype.byteSize(), label);
    }

    /** Both kernels quantize {@code w} in {@code format}; codes and scale bytes must be the same. */
    static void assertFpQuantizeAgrees(
            MemorySegment w, DType dtype, int rows, int cols, FpFormat format, Float globalScale, String label) {
        long words = rows * BitPacking.words(cols, format.bits());
        long groups = (long) rows * (cols / format.groupSize());
        MemorySegment expectedPacked = Segments.allocate(words, DType.UINT32);
        MemorySegment expectedScales = Segments.allocate(groups, DType.UINT8);
        MemorySegment actualPacked = Segments.allocate(words, DType.UINT32);
        MemorySegment actualScales = Segments.allocate(groups, DType.UINT8);
        SCALAR.fpQuantize(w, dtype, rows, cols, format, globalScale, expectedPacked, expectedScales);
        VECTOR.fpQuantize(w, dtype, rows, cols, format, globalScale, actualPacked, actualScales);
        assertSame(expectedPacked, actualPacked, 4, label + ": packed");
        assertSame(expectedScales, actualScales, 1, label + ": scales");
    }

    /** Both kernels decode the same microscaled parts; the outputs must be the same bytes. */
    static void assertFpDequantizeAgrees(
            MemorySegment packed,
            MemorySegment scales,
            int rows,
            int cols,
            FpFormat format,
            Float globalScale,
            DType outType,
            String label) {
        MemorySegment expected = Segments.allocate((long) rows * cols, outType);
        MemorySegment actual = Segments.allocate((long) rows * cols, outType);
        SCALAR.fpDequantize(packed, scales, rows, cols, format, globalScale, outType, expected);
        VECTOR.fpDequantize(packed, scales, rows, cols, format, globalScale, outType, actual);
        assertSame(expected, actual, outType.byteSize(), label);
    }

    private static String error(Runnable work) {
        try {
            work.run();
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Fails with the first differing element (of {@code elementSize} bytes) when the segments differ. */
    static void assertSame(MemorySegment expected, MemorySegment actual, int elementSize, String label) {
        long at = expected.mismatch(actual);
        if (at >= 0) {
            long element = at / elementSize;
            fail(label + ": element " + element + " differs: expected 0x" + hex(expected, element, elementSize)
                    + " but was 0x" + hex(actual, element, elementSize));
        }
    }

    private static String hex(MemorySegment seg, long element, int size) {
        StringBuilder s = new StringBuilder();
        for (int b = size - 1; b >= 0; b--) {
            s.append(String.format("%02x", seg.get(ValueLayout.JAVA_BYTE, element * size + b) & 0xFF));
        }
        return s.toString();
    }
}
