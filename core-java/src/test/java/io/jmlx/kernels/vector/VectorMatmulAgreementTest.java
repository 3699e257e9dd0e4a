package io.jmlx.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.KernelSet;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.kernels.RowDecoder;
import io.jmlx.kernels.ScalarKernels;
import io.jmlx.testing.Segments;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The vector matmul kernels agree with the scalar reference on random inputs of awkward shapes, for every bits
 * value and mode, both transpose settings and float32/float16/bfloat16, and do not depend on the thread count.
 *
 * <p>Tolerance. Both accumulate in float32 but in different orders, and the vector kernels may apply scale and
 * bias per group ({@code s·Σx·q + b·Σx}) with exact float32 weights where the reference rounds each weight to T
 * first. So per output {@code |y_v − y_s| ≤ (2(K+2)·2^-24 + 2u_T)·Σ|x|(|s·q| + |b|) + 2u_T·|y_s|}: the float32
 * summation bound of both, the reference's weight rounding, and the final rounding to T of each.
 */
class VectorMatmulAgreementTest {
    private static final KernelSet VECTOR = new VectorKernels();
    private static final KernelSet SCALAR = new ScalarKernels();
    private static final int[] OUTER = {1, 3, 7, 9, 33, 100};
    /** Rows of x per shape: a few (row-by-row and plane kernels), then many (the blocked kernel, ragged tiles). */
    private static final int[][] BATCHES = {{1, 2, 3, 5, 8, 17}, {100, 64, 16, 32, 40, 33}};

    record Weight(
            MemorySegment packed, MemorySegment scales, MemorySegment biases, float[] magnitude, int rows, int cols) {}

    @TestFactory
    Stream<DynamicTest> affine() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
            for (int g : new int[] {32, 64, 128}) {
                for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
                    for (boolean transpose : new boolean[] {true, false}) {
                        String name = "affine b" + bits + " g" + g + " " + t + (transpose ? " x·Wᵀ" : " x·W");
                        tests.add(DynamicTest.dynamicTest(name, () -> affineCase(bits, g, t, transpose)));
                    }
                }
            }
        }
        return tests.stream();
    }

    /**
     * Every row count from 1 to 17 against rows of 4096 codes, the length at which the plane kernels (2, 4 and 8
     * bits) take over and x is worked on in blocks of k, with a ragged last chunk of output rows (19).
     */
    @TestFactory
    Stream<DynamicTest> affineEveryFewRows() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bits : new int[] {2, 3, 4, 8}) {
            for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
                for (boolean transpose : new boolean[] {true, false}) {
                    String name = "affine b" + bits + " g64 " + t + (transpose ? " x·Wᵀ" : " x·W") + " m 1..17";
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        Random r = new Random(bits * 31L + t.ordinal() + (transpose ? 3 : 0));
                        for (int m = 1; m <= 17; m++) {
                            affineShape(r, bits, 64, t, transpose, m, 19, 4096);
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> microscaled() {
        List<DynamicTest> tests = new ArrayList<>();
        for (FpFormat f : FpFormat.values()) {
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
                for (boolean transpose : new boolean[] {true, false}) {
                    String name = f + " " + t + (transpose ? " x·Wᵀ" : " x·W");
                    tests.add(DynamicTest.dynamicTest(name, () -> microscaledCase(f, t, transpose)));
                }
            }
        }
        return tests.stream();
    }

    /** Quantized dims: the grouped one must divide by the group size (32, 96, 160, 4096 where possible). */
    private static int[] groupedSizes(int g) {
        return g == 32
                ? new int[] {32, 96, 160, 4096}
                : g == 64 ? new int[] {64, 192, 4096} : new int[] {128, 384, 4096};
    }

    private static void affineCase(int bits, int g, DType t, boolean transpose) {
        Random r = new Random(bits * 1000L + g * 10L + t.ordinal() + (transpose ? 7 : 0));
        int[] grouped = groupedSizes(g);
        for (int[] batch : BATCHES) {
            for (int s = 0; s < OUTER.length; s++) {
                int outer = OUTER[s];
                int inner = grouped[s % grouped.length];
                affineShape(r, bits, g, t, transpose, batch[s], outer, inner);
            }
        }
    }

    private static void affineShape(
            Random r, int bits, int g, DType t, boolean transpose, int m, int outer, int inner) {
        int k = transpose ? inner : outer;
        int n = transpose ? outer : inner;
        Weight w = affineWeight(r, transpose ? n : k, transpose ? k : n, g, bits, t);
        MemorySegment x = random(r, m * k, t, 1f);
        compare(
                t,
                m,
                k,
                n,
                transpose,
                w,
                (kernels, out) -> kernels.affineMatmul(
                        x, w.packed(), w.scales(), w.biases(), t, m, k, n, transpose, g, bits, out),
                x);
    }

    private static void microscaledCase(FpFormat f, DType t, boolean transpose) {
        Random r = new Random(f.ordinal() * 100L + t.ordinal() + (transpose ? 7 : 0));
        for (int[] batch : BATCHES) {
            for (int s = 0; s < OUTER.length; s++) {
                microscaledShape(r, f, t, transpose, batch[s], OUTER[s], new int[] {32, 96, 160, 4096}[s % 4]);
            }
        }
    }

    private static void microscaledShape(
            Random r, FpFormat f, DType t, boolean transpose, int m, int outer, int inner) {
        int k = transpose ? inner : outer;
        int n = transpose ? outer : inner;
        int rows = transpose ? n : k;
        int cols = transpose ? k : n;
        MemorySegment source = random(r, rows * cols, t, 2f);
        MemorySegment packed = Segments.allocate(BitPacking.words((long) rows * cols, f.bits()), DType.UINT32);
        MemorySegment scales = Segments.allocate((long) rows * cols / f.groupSize(), DType.UINT8);
        SCALAR.fpQuantize(source, t, rows, cols, f, null, packed, scales);
        float[] magnitude = new float[rows * cols];
        RowDecoder decoder = RowDecoder.microscaled(packed, scales, cols, f, null);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) {
            decoder.decode(i, row);
            for (int j = 0; j < cols; j++) {
                magnitude[i * cols + j] = Math.abs(row[j]);
            }
        }
        Weight w = new Weight(packed, scales, null, magnitude, rows, cols);
        MemorySegment x = random(r, m * k, t, 1f);
        compare(
                t,
                m,
                k,
                n,
                transpose,
                w,
                (kernels, out) -> kernels.fpMatmul(x, packed, scales, t, m, k, n, transpose, f, null, out),
                x);
    }

    private interface Product {
        void run(KernelSet kernels, MemorySegment out);
    }

    private static void compare(
            DType t, int m, int k, int n, boolean transpose, Weight w, Product product, MemorySegment x) {
        MemorySegment expected = Segments.allocate((long) m * n, t);
        MemorySegment actual = Segments.allocate((long) m * n, t);
        product.run(SCALAR, expected);
        product.run(VECTOR, actual);
        double u = t == DType.FLOAT16 ? 0x1p-11 : t == DType.BFLOAT16 ? 0x1p-8 : 0;
        float[] xs = new float[m * k];
        Elements.readRow(x, t, 0, xs, xs.length);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double mag = 0;
                for (int kk = 0; kk < k; kk++) {
                    int index = transpose ? j * k + kk : kk * n + j;
                    mag += Math.abs((double) xs[i * k + kk]) * w.magnitude()[index];
                }
                float e = Elements.getFloat(expected, t, (long) i * n + j);
                float a = Elements.getFloat(actual, t, (long) i * n + j);
                double bound = (2.0 * (k + 2) * 0x1p-24 + 2 * u) * mag + 2 * u * Math.abs(e);
                assertTrue(
                        Math.abs(a - e) <= bound,
                        "m=" + m + " k=" + k + " n=" + n + " output (" + i + "," + j + "): vector " + a + ", scalar "
                                + e + ", bound " + bound);
            }
        }
        MemorySegment sequential = Segments.allocate((long) m * n, t);
        KernelThreads.sequentially(() -> product.run(VECTOR, sequential));
        assertArrayEquals(
                actual.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                sequential.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                "same result on one thread");
    }

    private static Weight affineWeight(Random r, int rows, int cols, int g, int bits, DType t) {
        MemorySegment source = random(r, rows * cols, t, 1f);
        // Some rows far from zero, so that biases dominate (the case where the ways of applying them differ most).
        for (int i = 0; i < rows; i += 3) {
            for (int j = 0; j < cols; j++) {
                Elements.setFloat(
                        source, t, (long) i * cols + j, Elements.getFloat(source, t, (long) i * cols + j) + 20f);
            }
        }
        MemorySegment packed = Segments.allocate(BitPacking.words((long) rows * cols, bits), DType.UINT32);
        MemorySegment scales = Segments.allocate((long) rows * cols / g, t);
        MemorySegment biases = Segments.allocate((long) rows * cols / g, t);
        SCALAR.affineQuantize(source, t, rows, cols, g, bits, packed, scales, biases);
        float[] magnitude = new float[rows * cols];
        int[] codes = new int[cols];
        for (int i = 0; i < rows; i++) {
            BitPacking.unpackRow(packed, (long) i * cols * bits / 32, cols, bits, codes);
            for (int j = 0; j < cols; j++) {
                long group = (long) i * (cols / g) + j / g;
                magnitude[i * cols + j] = Math.abs(Elements.getFloat(scales, t, group) * codes[j])
                        + Math.abs(Elements.getFloat(biases, t, group));
            }
        }
        return new Weight(packed, scales, biases, magnitude, rows, cols);
    }

    private static MemorySegment random(Random r, int count, DType t, float scale) {
        MemorySegment seg = Segments.allocate(count, t);
        for (int i = 0; i < count; i++) {
            Elements.setFloat(seg, t, i, (float) r.nextGaussian() * scale);
        }
        return seg;
    }

    @Test
    void denseMatmulAgrees() {
        Random r = new Random(5);
        for (int[] shape : new int[][] {{1, 1, 1}, {3, 17, 5}, {33, 100, 7}, {8, 64, 130}}) {
            int m = shape[0];
            int k = shape[1];
            int n = shape[2];
            MemorySegment a = random(r, m * k, DType.FLOAT32, 1f);
            MemorySegment b = random(r, k * n, DType.FLOAT32, 1f);
            MemorySegment expected = Segments.allocate((long) m * n, DType.FLOAT32);
            MemorySegment actual = Segments.allocate((long) m * n, DType.FLOAT32);
            SCALAR.matmul(a, b, DType.FLOAT32, m, k, n, expected);
            VECTOR.matmul(a, b, DType.FLOAT32, m, k, n, actual);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double mag = 0;
                    for (int kk = 0; kk < k; kk++) {
                        mag += Math.abs((double) Elements.getFloat(a, DType.FLOAT32, (long) i * k + kk)
                                * Elements.getFloat(b, DType.FLOAT32, (long) kk * n + j));
                    }
                    float e = Elements.getFloat(expected, DType.FLOAT32, (long) i * n + j);
                    float v = Elements.getFloat(actual, DType.FLOAT32, (long) i * n + j);
                    assertTrue(
                            Math.abs(v - e) <= 2 * (k + 2) * 0x1p-24 * mag,
                            "dense (" + i + "," + j + "): " + v + " vs " + e);
                }
            }
        }
    }
}
