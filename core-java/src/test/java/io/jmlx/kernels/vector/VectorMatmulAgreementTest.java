package io.jmlx.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.KernelSet;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.kernels.RowDecoder;
import io.jmlx.kernels.ScalarKernels;
import io.jmlx.testing.ProductBound;
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
 * <p>Tolerance. Neither is compared with the other: each is compared with the exact product (float64) of the
 * weights it may multiply by, under {@link ProductBound} (float32 accumulation and one rounding to T). The reference
 * multiplies by the dequantized weights (rounded to T, as {@code dequantize} gives them); the vector kernels may
 * apply scale and bias per group ({@code s·Σx·q + b·Σx}) on exact weights, so they must be within the bound of one
 * of the two products, the same for every output. Each shape also shows that the check refuses zeros and outputs
 * off by 1%, at K = 4096 included.
 */
class VectorMatmulAgreementTest {
    private static final KernelSet VECTOR = new VectorKernels();
    private static final KernelSet SCALAR = new ScalarKernels();
    private static final int[] OUTER = {1, 3, 7, 9, 33, 100};
    /** Rows of x per shape: a few (row-by-row and plane kernels), then many (the blocked kernel, ragged tiles). */
    private static final int[][] BATCHES = {{1, 2, 3, 5, 8, 17}, {100, 64, 16, 32, 40, 33}};

    /**
     * A quantized weight: its stored parts, the values a product may multiply by ({@code stored}: dequantized to T;
     * {@code exact}: {@code s·q + b} unrounded, equal for microscaled weights) and per weight the magnitude its terms
     * involve.
     */
    record Weight(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            double[] stored,
            double[] exact,
            double[] magnitude,
            int rows,
            int cols) {}

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
     * Every row count from 1 to 17 against rows of 4096 codes (the plane kernels of every width, one and two rows
     * of x at a time, then the blocked kernel), with a ragged last task of output rows (19).
     */
    @TestFactory
    Stream<DynamicTest> affineEveryFewRows() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
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

    /** {@link #affineEveryFewRows} for the microscaled formats. */
    @TestFactory
    Stream<DynamicTest> microscaledEveryFewRows() {
        List<DynamicTest> tests = new ArrayList<>();
        for (FpFormat f : FpFormat.values()) {
            for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
                tests.add(DynamicTest.dynamicTest(f + " " + t + " x·Wᵀ m 1..17", () -> {
                    Random r = new Random(f.ordinal() * 17L + t.ordinal());
                    for (int m = 1; m <= 17; m++) {
                        microscaledShape(r, f, t, true, m, 19, 4096);
                    }
                }));
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
        MemorySegment x = activations(r, m * k, t);
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
        offsetEveryThirdRow(source, t, rows, cols, 4f);
        MemorySegment packed = Segments.allocate(BitPacking.words((long) rows * cols, f.bits()), DType.UINT32);
        MemorySegment scales = Segments.allocate((long) rows * cols / f.groupSize(), DType.UINT8);
        SCALAR.fpQuantize(source, t, rows, cols, f, null, packed, scales);
        double[] values = new double[rows * cols];
        double[] magnitude = new double[rows * cols];
        RowDecoder decoder = RowDecoder.microscaled(packed, scales, cols, f, null);
        float[] row = new float[cols];
        for (int i = 0; i < rows; i++) {
            decoder.decode(i, row); // element · scale: exact in float32
            for (int j = 0; j < cols; j++) {
                values[i * cols + j] = row[j];
                magnitude[i * cols + j] = Math.abs(row[j]);
            }
        }
        Weight w = new Weight(packed, scales, null, values, values, magnitude, rows, cols);
        MemorySegment x = activations(r, m * k, t);
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
        MemorySegment scalar = Segments.allocate((long) m * n, t);
        MemorySegment vector = Segments.allocate((long) m * n, t);
        product.run(SCALAR, scalar);
        product.run(VECTOR, vector);
        float[] xs = new float[m * k];
        Elements.readRow(x, t, 0, xs, xs.length);
        double[] storedProduct = new double[m * n];
        double[] exactProduct = new double[m * n];
        double[] magnitude = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                for (int kk = 0; kk < k; kk++) {
                    int index = transpose ? j * k + kk : kk * n + j;
                    double xv = xs[i * k + kk];
                    storedProduct[i * n + j] += xv * w.stored()[index];
                    exactProduct[i * n + j] += xv * w.exact()[index];
                    magnitude[i * n + j] += Math.abs(xv) * w.magnitude()[index];
                }
            }
        }
        String shape = "m=" + m + " k=" + k + " n=" + n + ": ";
        String outside = ProductBound.check(t, k, floats(scalar, t, m * n), magnitude, null, storedProduct);
        assertNull(outside, shape + "the scalar reference is off its product: " + outside);
        outside = ProductBound.check(t, k, floats(vector, t, m * n), magnitude, null, exactProduct, storedProduct);
        assertNull(outside, shape + "the vector kernels are off both products: " + outside);
        float[] zeros = new float[m * n];
        float[] onePercentOff = new float[m * n];
        for (int i = 0; i < m * n; i++) {
            onePercentOff[i] = FloatFormats.roundTo(t, (float) (exactProduct[i] * 1.01));
        }
        assertNotNull(
                ProductBound.check(t, k, zeros, magnitude, null, exactProduct, storedProduct),
                shape + "zeros must fail the check");
        assertNotNull(
                ProductBound.check(t, k, onePercentOff, magnitude, null, exactProduct, storedProduct),
                shape + "an output 1% off must fail the check");

        MemorySegment sequential = Segments.allocate((long) m * n, t);
        KernelThreads.sequentially(() -> product.run(VECTOR, sequential));
        assertArrayEquals(
                vector.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                sequential.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                "same result on one thread");
    }

    private static float[] floats(MemorySegment seg, DType t, int count) {
        float[] out = new float[count];
        Elements.readRow(seg, t, 0, out, count);
        return out;
    }

    private static Weight affineWeight(Random r, int rows, int cols, int g, int bits, DType t) {
        MemorySegment source = random(r, rows * cols, t, 1f);
        // Some rows far from zero, so that biases dominate (the case where the ways of applying them differ most).
        offsetEveryThirdRow(source, t, rows, cols, 20f);
        MemorySegment packed = Segments.allocate(BitPacking.words((long) rows * cols, bits), DType.UINT32);
        MemorySegment scales = Segments.allocate((long) rows * cols / g, t);
        MemorySegment biases = Segments.allocate((long) rows * cols / g, t);
        SCALAR.affineQuantize(source, t, rows, cols, g, bits, packed, scales, biases);
        MemorySegment dequantized = Segments.allocate((long) rows * cols, t);
        SCALAR.affineDequantize(packed, scales, biases, t, rows, cols, g, bits, dequantized);
        double[] stored = new double[rows * cols];
        double[] exact = new double[rows * cols];
        double[] magnitude = new double[rows * cols];
        int[] codes = new int[cols];
        for (int i = 0; i < rows; i++) {
            BitPacking.unpackRow(packed, (long) i * cols * bits / 32, cols, bits, codes);
            for (int j = 0; j < cols; j++) {
                long group = (long) i * (cols / g) + j / g;
                double s = Elements.getFloat(scales, t, group);
                double b = Elements.getFloat(biases, t, group);
                int at = i * cols + j;
                stored[at] = Elements.getFloat(dequantized, t, at);
                exact[at] = s * codes[j] + b;
                magnitude[at] = Math.max(Math.abs(stored[at]), Math.abs(s * codes[j]) + Math.abs(b));
            }
        }
        return new Weight(packed, scales, biases, stored, exact, magnitude, rows, cols);
    }

    private static void offsetEveryThirdRow(MemorySegment w, DType t, int rows, int cols, float offset) {
        for (int i = 0; i < rows; i += 3) {
            for (int j = 0; j < cols; j++) {
                Elements.setFloat(w, t, (long) i * cols + j, Elements.getFloat(w, t, (long) i * cols + j) + offset);
            }
        }
    }

    /**
     * x: Gaussian around 0.25, so that the products with the offset rows do not cancel; with random signs only, a
     * sum of K = 4096 terms cancels so much that float32's worst-case accumulation bound alone exceeds 1% of it.
     */
    private static MemorySegment activations(Random r, int count, DType t) {
        MemorySegment seg = random(r, count, t, 1f);
        for (int i = 0; i < count; i++) {
            Elements.setFloat(seg, t, i, Elements.getFloat(seg, t, i) + 0.25f);
        }
        return seg;
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
        // From {40, 64, 300} on the blocked kernels (m ≥ 16, k·n ≥ 2^14): on rows of bᵀ (k a multiple of 16) with
        // ragged tiles, then on rows of b (n a multiple of 16) with ragged row blocks, tiles and panels of k.
        for (int[] shape : new int[][] {
            {1, 1, 1},
            {3, 17, 5},
            {33, 100, 7},
            {8, 64, 130},
            {40, 64, 300},
            {17, 128, 250},
            {16, 128, 128},
            {41, 384, 96},
            {23, 300, 80},
            {100, 33, 1536}
        }) {
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
