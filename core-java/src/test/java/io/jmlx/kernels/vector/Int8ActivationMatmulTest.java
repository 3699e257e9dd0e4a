package io.jmlx.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jmlx.DType;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.ScalarKernels;
import io.jmlx.testing.Segments;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The experimental int8-activation path ({@link Int8ActivationMatmul}) against the exact product, computed here in
 * float64 from the stored codes, scales and biases.
 *
 * <p>Two bounds per output. The <em>documented</em> one, against the exact {@code Σ (s·q + b)·x}: x's rounding,
 * {@code Σ_blocks |s|·Σq·t/2} with {@code t = max|x|/127} of the block, plus the float32 terms
 * {@code γ_n·M} ({@code M = Σ (|s|·q + |b|)·(|x| + t/2)}, n the roundings any output passes through). The
 * <em>tight</em> one, against {@code Σ s·q·t·ξ + b·x} with x's integers ξ recomputed here: the float32 terms only,
 * so that a wrong plane order, a lost block or a scale from the wrong group cannot hide inside x's rounding. Each
 * case also shows that an output off by 1% falls outside the bounds.
 */
class Int8ActivationMatmulTest {
    private static final ScalarKernels SCALAR = new ScalarKernels();
    private static final double U = 0x1p-24;

    /** A quantized 4-bit weight and, per weight, its code, scale and bias (float64). */
    private record Weight(
            MemorySegment packed, MemorySegment scales, MemorySegment biases, int[] q, double[] s, double[] b) {}

    /** Per output: the exact product, the documented bound, the tight reference and its bound. */
    private record Expected(double[] exact, double[] bound, double[] tight, double[] tightBound) {}

    @Test
    void randomProductsStayWithinTheDocumentedBound() {
        assumeTrue(Int8ActivationMatmul.supports(4, 4096, 64), "the vector shapes do not fit the int8 path");
        Random r = new Random(11);
        int[][] shapes = {{1, 4096, 37, 64}, {2, 4096, 19, 128}, {5, 256, 33, 64}, {8, 640, 17, 64}, {3, 4096, 16, 256}
        };
        for (int[] shape : shapes) {
            int m = shape[0];
            int k = shape[1];
            int n = shape[2];
            int g = shape[3];
            Weight w = weight(r, n, k, g, false);
            float[] x = new float[m * k];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian() + 0.25f;
            }
            float[] y = multiply(x, m, k, n, g, w);
            Expected e = expected(x, m, k, n, g, w);
            String label = "m=" + m + " k=" + k + " n=" + n + " g=" + g;
            assertEquals(-1, firstOutside(y, e.exact, e.bound, 1.0), "documented bound, " + label);
            assertEquals(-1, firstOutside(y, e.tight, e.tightBound, 1.0), "tight bound, " + label);
            assertTrue(firstOutside(y, e.tight, e.tightBound, 1.01) >= 0, "1% off passes the tight bound, " + label);
            assertTrue(
                    firstOutside(new float[y.length], e.tight, e.tightBound, 1.0) >= 0,
                    "zeros pass the tight bound, " + label);
        }
    }

    /**
     * Positive x (0.5 to 1.5) and weights (0 to 1): the terms add up, and x's rounding (at most 1.5/254 of each
     * term) is well below 1% of every output, so an output 1% off falls outside the documented bound.
     */
    @Test
    void theDocumentedBoundRefusesOutputsOffByOnePercent() {
        assumeTrue(Int8ActivationMatmul.supports(4, 4096, 64), "the vector shapes do not fit the int8 path");
        Random r = new Random(12);
        int m = 3;
        int k = 4096;
        int n = 24;
        int g = 64;
        Weight w = weight(r, n, k, g, true);
        float[] x = new float[m * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.5f + r.nextFloat();
        }
        float[] y = multiply(x, m, k, n, g, w);
        Expected e = expected(x, m, k, n, g, w);
        assertEquals(-1, firstOutside(y, e.exact, e.bound, 1.0), "documented bound");
        for (int j = 0; j < y.length; j++) {
            double off = Math.abs(y[j] * 1.01 - e.exact[j]);
            assertTrue(off > e.bound[j], "output " + j + " off by 1% (" + off + ") within the bound " + e.bound[j]);
            double under = Math.abs(y[j] * 0.99 - e.exact[j]);
            assertTrue(under > e.bound[j], "output " + j + " 1% low (" + under + ") within the bound " + e.bound[j]);
        }
    }

    /**
     * Float16 and bfloat16 scales and biases are widened to float32 exactly: with the same values (rounded to the
     * narrow type) stored as float32 the product is the same, for one and two rows of x at a time and for groups of
     * one and of two blocks.
     */
    @Test
    void scalesOfEveryTypeGiveTheSameProduct() {
        assumeTrue(Int8ActivationMatmul.supports(4, 4096, 64), "the vector shapes do not fit the int8 path");
        Random r = new Random(13);
        for (int g : new int[] {64, 128}) {
            int m = 3;
            int k = 1024;
            int n = 21;
            Weight w = weight(r, n, k, g, false);
            float[] x = new float[m * k];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (DType narrow : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                long count = (long) n * k / g;
                MemorySegment scales = Segments.allocate(count, narrow);
                MemorySegment biases = Segments.allocate(count, narrow);
                MemorySegment wideScales = Segments.allocate(count, DType.FLOAT32);
                MemorySegment wideBiases = Segments.allocate(count, DType.FLOAT32);
                for (long i = 0; i < count; i++) {
                    Elements.setFloat(scales, narrow, i, Elements.getFloat(w.scales, DType.FLOAT32, i));
                    Elements.setFloat(biases, narrow, i, Elements.getFloat(w.biases, DType.FLOAT32, i));
                    Elements.setFloat(wideScales, DType.FLOAT32, i, Elements.getFloat(scales, narrow, i));
                    Elements.setFloat(wideBiases, DType.FLOAT32, i, Elements.getFloat(biases, narrow, i));
                }
                float[] fromNarrow = new float[m * n];
                float[] fromWide = new float[m * n];
                Int8ActivationMatmul.transposed(
                        x, m, k, n, w.packed, RowScales.affine(scales, biases, narrow, k / g, g), fromNarrow);
                Int8ActivationMatmul.transposed(
                        x,
                        m,
                        k,
                        n,
                        w.packed,
                        RowScales.affine(wideScales, wideBiases, DType.FLOAT32, k / g, g),
                        fromWide);
                for (int j = 0; j < fromWide.length; j++) {
                    assertEquals(fromNarrow[j], fromWide[j], narrow + " g" + g + " output " + j);
                }
                assertTrue(fromWide[0] != 0f, "a product of random values is not zero");
            }
        }
    }

    @Test
    void xIsRoundedToInt8PerBlock() {
        float[] x = new float[2 * Int8ActivationMatmul.BLOCK];
        for (int i = 0; i < Int8ActivationMatmul.BLOCK; i++) {
            x[i] = i - 32f; // block 0: -32 … 31, max 32
        }
        x[Int8ActivationMatmul.BLOCK + 5] = -0.5f; // block 1: one value, all others zero
        short[] xq = new short[x.length];
        float[] scales = new float[2];
        Int8ActivationMatmul.quantize(x, 2, xq, scales);
        assertEquals(32f / 127f, scales[0]);
        assertEquals(0.5f / 127f, scales[1]);
        // Value i of a block sits at plane i mod 4, lane i / 4.
        assertEquals(-127, xq[0]); // value 0: -32
        assertEquals((short) Math.rint(-31 * 127 / 32.0), xq[16]); // value 1
        assertEquals((short) Math.rint(31 * 127 / 32.0), xq[3 * 16 + 15]); // value 63
        assertEquals(-127, xq[Int8ActivationMatmul.BLOCK + 16 + 1]); // block 1, value 5
        float[] zeros = new float[Int8ActivationMatmul.BLOCK];
        Int8ActivationMatmul.quantize(zeros, 1, xq, scales);
        assertEquals(0f, scales[0]);
        assertEquals(0, xq[7]);
    }

    @Test
    void thePropertyTakesFloat32OrInt8() {
        assertFalse(ActivationPrecision.parse("float32"));
        assertTrue(ActivationPrecision.parse(" INT8 "));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ActivationPrecision.parse("int4"));
        assertTrue(e.getMessage().contains("jmlx.matmul.activations=int4"), e.getMessage());
        assertTrue(e.getMessage().contains("float32 or int8"), e.getMessage());
    }

    @Test
    void onlyFourBitsInWholeBlocks() {
        assertFalse(Int8ActivationMatmul.supports(3, 4096, 64));
        assertFalse(Int8ActivationMatmul.supports(4, 4096, 32));
        assertFalse(Int8ActivationMatmul.supports(4, 4064, 64));
    }

    private static float[] multiply(float[] x, int m, int k, int n, int g, Weight w) {
        float[] y = new float[m * n];
        Int8ActivationMatmul.transposed(
                x, m, k, n, w.packed, RowScales.affine(w.scales, w.biases, DType.FLOAT32, k / g, g), y);
        return y;
    }

    private static Weight weight(Random r, int rows, int cols, int g, boolean positive) {
        MemorySegment source = Segments.allocate((long) rows * cols, DType.FLOAT32);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = positive ? r.nextFloat() : (float) r.nextGaussian() + (i / cols % 3 == 0 ? 5f : 0f);
            Elements.setFloat(source, DType.FLOAT32, i, v);
        }
        MemorySegment packed = Segments.allocate(BitPacking.words((long) rows * cols, 4), DType.UINT32);
        MemorySegment scales = Segments.allocate((long) rows * cols / g, DType.FLOAT32);
        MemorySegment biases = Segments.allocate((long) rows * cols / g, DType.FLOAT32);
        SCALAR.affineQuantize(source, DType.FLOAT32, rows, cols, g, 4, packed, scales, biases);
        int[] q = new int[rows * cols];
        double[] s = new double[rows * cols];
        double[] b = new double[rows * cols];
        int[] codes = new int[cols];
        for (int i = 0; i < rows; i++) {
            BitPacking.unpackRow(packed, (long) i * cols * 4 / 32, cols, 4, codes);
            for (int j = 0; j < cols; j++) {
                long group = (long) i * (cols / g) + j / g;
                q[i * cols + j] = codes[j];
                s[i * cols + j] = Elements.getFloat(scales, DType.FLOAT32, group);
                b[i * cols + j] = Elements.getFloat(biases, DType.FLOAT32, group);
            }
        }
        return new Weight(packed, scales, biases, q, s, b);
    }

    private static Expected expected(float[] x, int m, int k, int n, int g, Weight w) {
        int block = Int8ActivationMatmul.BLOCK;
        // x's integers and block scales as the path defines them: ξ = rint(x·127/max), t = max/127.
        double[] step = new double[m * k];
        double[] rounded = new double[m * k];
        for (int from = 0; from < m * k; from += block) {
            float max = 0f;
            for (int i = from; i < from + block; i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            float inverse = max == 0f ? 0f : 127f / max;
            float t = max / 127f;
            for (int i = from; i < from + block; i++) {
                step[i] = t;
                rounded[i] = (double) t * Math.rint(x[i] * inverse);
            }
        }
        // Roundings an output passes through: the block terms and bias terms of its lanes, the lane sum, the group
        // sums of x, the scale products.
        double roundings = k / block + k / g + LaneShapes.LANES + g + 4;
        double gamma = roundings * U / (1 - roundings * U);
        double[] exact = new double[m * n];
        double[] bound = new double[m * n];
        double[] tight = new double[m * n];
        double[] tightBound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double rounding = 0;
                double reference = 0;
                double magnitude = 0;
                for (int c = 0; c < k; c++) {
                    int at = j * k + c;
                    double xc = x[i * k + c];
                    double scaled = w.s[at] * w.q[at];
                    sum += (scaled + w.b[at]) * xc;
                    rounding += Math.abs(scaled) * step[i * k + c] / 2;
                    reference += scaled * rounded[i * k + c] + w.b[at] * xc;
                    magnitude += (Math.abs(scaled) + Math.abs(w.b[at])) * (Math.abs(xc) + step[i * k + c] / 2);
                }
                // float64's own error on these sums: k + 2 roundings of 2^-53 on the magnitude.
                double float64 = (k + 2) * 0x1p-52 * magnitude;
                exact[i * n + j] = sum;
                bound[i * n + j] = rounding * (1 + 0x1p-20) + gamma * magnitude + float64;
                tight[i * n + j] = reference;
                tightBound[i * n + j] = gamma * magnitude + float64;
            }
        }
        return new Expected(exact, bound, tight, tightBound);
    }

    /** The first output that, times {@code factor}, lies outside its bound (NaN included), or -1. */
    private static int firstOutside(float[] y, double[] expected, double[] bound, double factor) {
        for (int j = 0; j < y.length; j++) {
            if (!(Math.abs(y[j] * factor - expected[j]) <= bound[j])) {
                return j;
            }
        }
        return -1;
    }
}
