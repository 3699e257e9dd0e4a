package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.AgreementCases.SCALAR;
import static io.jmlx.kernels.vector.AgreementCases.VECTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.testing.Segments;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Vector API quantization kernels give the reference's bytes: every bit width and group size, float32, float16
 * and bfloat16, awkward shapes, every row kind of {@link AgreementCases#weights}, every microscaling mode, and the
 * same result whether the chunks of rows run in parallel or one after another.
 */
class VectorQuantizeAgreementTest {
    private static final DType[] TYPES = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};
    private static final int[] BITS = {2, 3, 4, 5, 6, 8};
    private static final int[] GROUPS = {32, 64, 128};
    private static final int[] ROWS = {1, 3, 7, 9, 33, 100};
    private static final int[] COLS = {32, 96, 160, 4096};
    private static final float[] MAGNITUDES = {1e-6f, 1e-3f, 1f, 30f, 1e4f};

    @TestFactory
    Stream<DynamicTest> affineQuantize() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (DType dtype : TYPES) {
            for (int bits : BITS) {
                for (int g : GROUPS) {
                    for (int cols : COLS) {
                        if (cols % g != 0) {
                            continue;
                        }
                        // Every row count meets every width, the big ones with fewer rows.
                        int rows = cols == 4096 ? ROWS[i % 4] : ROWS[i % ROWS.length];
                        float magnitude = MAGNITUDES[i % MAGNITUDES.length];
                        long seed = i++;
                        String label = dtype + " bits=" + bits + " g=" + g + " " + rows + "x" + cols + " magnitude="
                                + magnitude + " seed=" + seed;
                        tests.add(DynamicTest.dynamicTest(label, () -> {
                            MemorySegment w = AgreementCases.weights(dtype, rows, cols, bits, seed, magnitude, false);
                            AgreementCases.assertAffineQuantizeAgrees(w, dtype, rows, cols, g, bits, label);
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> affineDequantize() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (DType dtype : TYPES) {
            for (int bits = 1; bits <= 8; bits++) {
                for (int g : new int[] {16, 32, 64, 128}) {
                    for (int cols : COLS) {
                        if (cols % g != 0) {
                            continue;
                        }
                        int rows = cols == 4096 ? ROWS[i % 4] : ROWS[i % ROWS.length];
                        long seed = 1000 + i++;
                        int b = bits;
                        String label = dtype + " bits=" + bits + " g=" + g + " " + rows + "x" + cols + " seed=" + seed;
                        tests.add(DynamicTest.dynamicTest(label, () -> {
                            long groups = (long) rows * (cols / g);
                            MemorySegment packed =
                                    AgreementCases.randomBytes(rows * BitPacking.words(cols, b) * 4, seed);
                            MemorySegment scales = AgreementCases.parameters(dtype, groups, seed + 1, seed % 2 == 0);
                            MemorySegment biases = AgreementCases.parameters(dtype, groups, seed + 2, false);
                            AgreementCases.assertAffineDequantizeAgrees(
                                    packed, scales, biases, dtype, rows, cols, g, b, label);
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    /** Quantizes and dequantizes again: the decoded values of real quantizations must agree too. */
    @TestFactory
    Stream<DynamicTest> affineRoundTrip() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (DType dtype : TYPES) {
            for (int bits : BITS) {
                int g = GROUPS[i % GROUPS.length];
                int rows = ROWS[i % ROWS.length];
                int cols = 4 * g;
                long seed = 2000 + i++;
                String label = dtype + " bits=" + bits + " g=" + g + " " + rows + "x" + cols + " seed=" + seed;
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    MemorySegment w = AgreementCases.weights(dtype, rows, cols, bits, seed, 1f, false);
                    long groups = (long) rows * (cols / g);
                    MemorySegment packed = Segments.allocate(rows * BitPacking.words(cols, bits), DType.UINT32);
                    MemorySegment scales = Segments.allocate(groups, dtype);
                    MemorySegment biases = Segments.allocate(groups, dtype);
                    SCALAR.affineQuantize(w, dtype, rows, cols, g, bits, packed, scales, biases);
                    AgreementCases.assertAffineDequantizeAgrees(
                            packed, scales, biases, dtype, rows, cols, g, bits, label);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> microscaledQuantize() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (FpFormat format : FpFormat.values()) {
            for (DType dtype : TYPES) {
                for (int cols : COLS) {
                    for (Float global :
                            format == FpFormat.NVFP4 ? new Float[] {null, 0.37f, 1e-30f, 3e3f} : new Float[] {null}) {
                        int rows = cols == 4096 ? ROWS[i % 4] : ROWS[i % ROWS.length];
                        float magnitude = MAGNITUDES[i % MAGNITUDES.length];
                        long seed = 3000 + i++;
                        String label = format + " " + dtype + " " + rows + "x" + cols + " global=" + global
                                + " magnitude=" + magnitude + " seed=" + seed;
                        tests.add(DynamicTest.dynamicTest(label, () -> {
                            MemorySegment w = AgreementCases.weights(dtype, rows, cols, 4, seed, magnitude, true);
                            AgreementCases.assertFpQuantizeAgrees(w, dtype, rows, cols, format, global, label);
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    /** Every E2M1 tie and its neighbours, scaled by every power of two a group can have. */
    @Test
    void microscaledTies() {
        float[] ties = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f, 6f, 7f};
        for (DType dtype : TYPES) {
            int cols = 32 * 64;
            MemorySegment w = Segments.allocate(2L * cols, dtype);
            for (int j = 0; j < 2 * cols; j++) {
                float t = ties[j % ties.length] * (j % 2 == 0 ? 1 : -1);
                float v = switch (j / ties.length % 3) {
                    case 0 -> t;
                    case 1 -> Math.nextUp(t);
                    default -> Math.nextDown(t);
                };
                Elements.setFloat(w, dtype, j, Math.scalb(v, j / 32 % 40 - 20));
            }
            for (FpFormat format : FpFormat.values()) {
                AgreementCases.assertFpQuantizeAgrees(w, dtype, 2, cols, format, null, format + " " + dtype);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> microscaledDequantize() {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (FpFormat format : FpFormat.values()) {
            for (DType outType : TYPES) {
                for (int cols : COLS) {
                    for (Float global :
                            format == FpFormat.NVFP4 ? new Float[] {null, 0.37f, 3e3f} : new Float[] {null}) {
                        int rows = cols == 4096 ? ROWS[i % 4] : ROWS[i % ROWS.length];
                        long seed = 4000 + i++;
                        String label = format + " -> " + outType + " " + rows + "x" + cols + " global=" + global
                                + " seed=" + seed;
                        tests.add(DynamicTest.dynamicTest(label, () -> {
                            MemorySegment packed =
                                    AgreementCases.randomBytes(rows * BitPacking.words(cols, format.bits()) * 4, seed);
                            MemorySegment scales =
                                    AgreementCases.randomBytes((long) rows * (cols / format.groupSize()), seed + 1);
                            AgreementCases.assertFpDequantizeAgrees(
                                    packed, scales, rows, cols, format, global, outType, label);
                        }));
                    }
                }
            }
        }
        return tests.stream();
    }

    /** NaN or an infinity: the same message as the reference, naming the first one in row-major order. */
    @Test
    void nonFiniteInputsAreRefusedWithTheReferenceMessage() {
        int rows = 300;
        int cols = 4096;
        for (DType dtype : TYPES) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                MemorySegment w = AgreementCases.weights(dtype, rows, cols, 4, 7, 1f, false);
                // Far apart, so that they land in different chunks; the earlier one must be reported.
                Elements.setFloat(w, dtype, 250L * cols + 17, Float.NaN);
                Elements.setFloat(w, dtype, 123L * cols + 4000, bad);
                AgreementCases.assertAffineQuantizeAgrees(w, dtype, rows, cols, 64, 4, dtype + " " + bad);
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class,
                        () -> VECTOR.affineQuantize(
                                w,
                                dtype,
                                rows,
                                cols,
                                64,
                                4,
                                Segments.allocate(rows * cols / 8, DType.UINT32),
                                Segments.allocate(rows * cols / 64, dtype),
                                Segments.allocate(rows * cols / 64, dtype)));
                assertEquals(
                        "w has the non-finite value " + bad + " at row 123, column 4000; MLX's result for NaN and "
                                + "Inf is unspecified, so jmlx refuses to quantize it",
                        e.getMessage());
            }
        }
    }

    /** Chunks of rows run in parallel give the same bytes as the same chunks run one after another. */
    @Test
    void parallelResultEqualsSequentialResult() {
        int rows = 300;
        int cols = 4096;
        for (DType dtype : TYPES) {
            MemorySegment w = AgreementCases.weights(dtype, rows, cols, 4, 11, 1f, false);
            MemorySegment[] parallel = affineParts(dtype, rows, cols);
            MemorySegment[] sequential = affineParts(dtype, rows, cols);
            VECTOR.affineQuantize(w, dtype, rows, cols, 64, 4, parallel[0], parallel[1], parallel[2]);
            KernelThreads.sequentially(() ->
                    VECTOR.affineQuantize(w, dtype, rows, cols, 64, 4, sequential[0], sequential[1], sequential[2]));
            for (int p = 0; p < 3; p++) {
                AgreementCases.assertSame(sequential[p], parallel[p], 1, dtype + " part " + p);
            }
            MemorySegment parallelOut = Segments.allocate((long) rows * cols, dtype);
            MemorySegment sequentialOut = Segments.allocate((long) rows * cols, dtype);
            VECTOR.affineDequantize(parallel[0], parallel[1], parallel[2], dtype, rows, cols, 64, 4, parallelOut);
            KernelThreads.sequentially(() -> VECTOR.affineDequantize(
                    parallel[0], parallel[1], parallel[2], dtype, rows, cols, 64, 4, sequentialOut));
            AgreementCases.assertSame(sequentialOut, parallelOut, 1, dtype + " dequantized");

            MemorySegment fpParallel = Segments.allocate((long) rows * cols / 8, DType.UINT32);
            MemorySegment fpSequential = Segments.allocate((long) rows * cols / 8, DType.UINT32);
            MemorySegment fpScalesParallel = Segments.allocate((long) rows * cols / 16, DType.UINT8);
            MemorySegment fpScalesSequential = Segments.allocate((long) rows * cols / 16, DType.UINT8);
            VECTOR.fpQuantize(w, dtype, rows, cols, FpFormat.NVFP4, 2f, fpParallel, fpScalesParallel);
            KernelThreads.sequentially(() ->
                    VECTOR.fpQuantize(w, dtype, rows, cols, FpFormat.NVFP4, 2f, fpSequential, fpScalesSequential));
            AgreementCases.assertSame(fpSequential, fpParallel, 1, dtype + " nvfp4 codes");
            AgreementCases.assertSame(fpScalesSequential, fpScalesParallel, 1, dtype + " nvfp4 scales");
        }
    }

    private static MemorySegment[] affineParts(DType dtype, int rows, int cols) {
        return new MemorySegment[] {
            Segments.allocate((long) rows * cols / 8, DType.UINT32),
            Segments.allocate((long) rows * cols / 64, dtype),
            Segments.allocate((long) rows * cols / 64, dtype)
        };
    }
}
