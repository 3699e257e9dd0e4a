package io.jmlx.gpu.testing;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.Kernels;
import io.jmlx.kernels.RowDecoder;
import io.jmlx.kernels.ScalarKernels;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One batched quantized matmul problem with random inputs, its CPU reference (jmlx's scalar kernels, batch by
 * batch), and the comparison: both sum in float32 in different orders and round once to T, so they differ by at
 * most {@code 2(K+2)·2^-24·Σ|x|·|ŵ|} plus one unit in the last place of T.
 */
public record MatmulCheck(DType dtype, int batches, int m, int k, int n, boolean transpose, boolean sharedWeight,
                          FpFormat format, Float globalScale, int groupSize, int bits, MemorySegment x,
                          MemorySegment packed, MemorySegment scales, MemorySegment biases) {
    private static final Kernels CPU = new ScalarKernels();

    /** Random inputs: x Gaussian, the weight quantized by the CPU from Gaussian values. */
    public static MatmulCheck random(DType dtype, int batches, int m, int k, int n, boolean transpose,
                                     boolean sharedWeight, FpFormat format, Float globalScale, int groupSize, int bits,
                                     long seed) {
        Random random = new Random(seed);
        int wb = sharedWeight ? 1 : batches;
        int rows = transpose ? n : k;
        int cols = transpose ? k : n;
        MemorySegment x = gaussian(dtype, (long) batches * m * k, random);
        MemorySegment w = gaussian(dtype, (long) wb * rows * cols, random);
        int b = format == null ? bits : format.bits();
        int g = format == null ? groupSize : format.groupSize();
        MemorySegment packed = Array.allocate((long) wb * rows * cols * b / 32, DType.UINT32);
        long groups = (long) wb * rows * cols / g;
        MemorySegment scales = Array.allocate(groups, format == null ? dtype : DType.UINT8);
        MemorySegment biases = format == null ? Array.allocate(groups, dtype) : null;
        if (format == null) {
            CPU.affineQuantize(w, dtype, (long) wb * rows, cols, g, b, packed, scales, biases);
        } else {
            CPU.fpQuantize(w, dtype, (long) wb * rows, cols, format, globalScale, packed, scales);
        }
        return new MatmulCheck(dtype, batches, m, k, n, transpose, sharedWeight, format, globalScale, g, b, x, packed,
                scales, biases);
    }

    private static MemorySegment gaussian(DType dtype, long count, Random random) {
        MemorySegment s = Array.allocate(count, dtype);
        for (long i = 0; i < count; i++) {
            Elements.setFloat(s, dtype, i, (float) random.nextGaussian());
        }
        return s;
    }

    /** The problem in words, for messages. */
    public String describe() {
        return (format == null ? "affine " + bits + "-bit group " + groupSize : format + (globalScale == null ? ""
                : " global " + globalScale)) + " " + dtype + " batches " + batches + (sharedWeight ? " (shared weight)"
                : "") + " m " + m + " k " + k + " n " + n + (transpose ? " transposed" : "");
    }

    public long outBytes() {
        return (long) batches * m * n * dtype.byteSize();
    }

    /** Checks {@code out} (the GPU's result) against the CPU kernels, batch by batch. */
    public void check(MemorySegment out, String label) {
        int rows = transpose ? n : k;
        int cols = transpose ? k : n;
        int es = dtype.byteSize();
        long wordsPerBatch = (long) rows * cols * bits / 32;
        long groupsPerBatch = (long) rows * cols / groupSize;
        int ses = format == null ? es : 1;
        float unit = switch (dtype) {
            case FLOAT16 -> 0x1p-10f;
            case BFLOAT16 -> 0x1p-7f;
            default -> 0x1p-23f;
        };
        for (int b = 0; b < batches; b++) {
            long wb = sharedWeight ? 0 : b;
            MemorySegment xb = x.asSlice((long) b * m * k * es, (long) m * k * es);
            MemorySegment pb = packed.asSlice(wb * wordsPerBatch * 4, wordsPerBatch * 4);
            MemorySegment sb = scales.asSlice(wb * groupsPerBatch * ses, groupsPerBatch * ses);
            MemorySegment expected = Array.allocate((long) m * n, dtype);
            RowDecoder decoder;
            if (format == null) {
                MemorySegment bb = biases.asSlice(wb * groupsPerBatch * es, groupsPerBatch * es);
                CPU.affineMatmul(xb, pb, sb, bb, dtype, m, k, n, transpose, groupSize, bits, expected);
                decoder = RowDecoder.affine(pb, sb, bb, dtype, cols, groupSize, bits);
            } else {
                CPU.fpMatmul(xb, pb, sb, dtype, m, k, n, transpose, format, globalScale, expected);
                decoder = RowDecoder.microscaled(pb, sb, cols, format, globalScale);
            }
            float[] w = new float[rows * cols];
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                decoder.decode(r, row);
                System.arraycopy(row, 0, w, r * cols, cols);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double magnitude = 0;
                    for (int kk = 0; kk < k; kk++) {
                        magnitude += Math.abs((double) Elements.getFloat(xb, dtype, (long) i * k + kk)
                                * w[transpose ? j * cols + kk : kk * cols + j]);
                    }
                    float want = Elements.getFloat(expected, dtype, (long) i * n + j);
                    float got = Elements.getFloat(out, dtype, ((long) b * m + i) * n + j);
                    double bound = 2.0 * (k + 2) * 0x1p-24 * magnitude + unit * Math.abs(want);
                    if (!(Math.abs((double) got - want) <= bound)) {
                        fail(label + ": batch " + b + " output (" + i + ", " + j + "): GPU " + got + ", CPU " + want
                                + ", bound " + bound);
                    }
                }
            }
        }
    }
}
