package io.jmlx.gpu.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.jmlx.DType;
import io.jmlx.gpu.GpuKernels;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpCodecs;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.KernelSet;
import io.jmlx.kernels.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * One batched quantized matmul problem with random inputs, its CPU reference (jmlx's scalar kernels, batch by
 * batch), and the comparison with the bound the CPU's own kernel agreement tests use: both sum in float32 in
 * different orders, the GPU may apply scale and bias per group where the reference rounds each weight to T, and
 * both round once to T, so {@code |gpu - cpu| <= (2(K+2)·2^-24 + 2u)·Σ|x|·(|s·q| + |b|) + 2u·|cpu|}, u the unit
 * roundoff of T.
 */
public record MatmulCheck(
        DType dtype,
        int batches,
        int m,
        int k,
        int n,
        boolean transpose,
        boolean sharedWeight,
        FpFormat format,
        Float globalScale,
        int groupSize,
        int bits,
        MemorySegment x,
        MemorySegment packed,
        MemorySegment scales,
        MemorySegment biases) {
    private static final KernelSet CPU = new ScalarKernels();

    /** Random inputs: x Gaussian, the weight quantized by the CPU from Gaussian values. */
    public static MatmulCheck random(
            DType dtype,
            int batches,
            int m,
            int k,
            int n,
            boolean transpose,
            boolean sharedWeight,
            FpFormat format,
            Float globalScale,
            int groupSize,
            int bits,
            long seed) {
        Random random = new Random(seed);
        int wb = sharedWeight ? 1 : batches;
        int rows = transpose ? n : k;
        int cols = transpose ? k : n;
        MemorySegment x = gaussian(dtype, (long) batches * m * k, random);
        MemorySegment w = gaussian(dtype, (long) wb * rows * cols, random);
        int b = format == null ? bits : format.bits();
        int g = format == null ? groupSize : format.groupSize();
        MemorySegment packed = Native.allocate((long) wb * rows * cols * b / 32, DType.UINT32);
        long groups = (long) wb * rows * cols / g;
        MemorySegment scales = Native.allocate(groups, format == null ? dtype : DType.UINT8);
        MemorySegment biases = format == null ? Native.allocate(groups, dtype) : null;
        if (format == null) {
            CPU.affineQuantize(w, dtype, (long) wb * rows, cols, g, b, packed, scales, biases);
        } else {
            CPU.fpQuantize(w, dtype, (long) wb * rows, cols, format, globalScale, packed, scales);
        }
        return new MatmulCheck(
                dtype, batches, m, k, n, transpose, sharedWeight, format, globalScale, g, b, x, packed, scales, biases);
    }

    /** Per stored weight: |s·q| + |b| (affine) or |element · scale · factor| (microscaled). */
    private float[] weightMagnitudes(int rows, int cols, long wordsPerBatch, long groupsPerBatch, int ses) {
        int wb = sharedWeight ? 1 : batches;
        float[] out = new float[wb * rows * cols];
        int[] codes = new int[cols];
        float factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        for (int r = 0; r < wb * rows; r++) {
            BitPacking.unpackRow(packed, (long) r * cols * bits / 32, cols, bits, codes);
            for (int j = 0; j < cols; j++) {
                long g = (long) r * (cols / groupSize) + j / groupSize;
                out[r * cols + j] = format == null
                        ? Math.abs(Elements.getFloat(scales, dtype, g) * codes[j])
                                + Math.abs(Elements.getFloat(biases, dtype, g))
                        : Math.abs((format.bits() == 4 ? FpCodecs.fp4Value(codes[j]) : FpCodecs.fp8Decode(codes[j]))
                                * format.scale(scales.get(ValueLayout.JAVA_BYTE, g) & 0xFF)
                                * factor);
            }
        }
        return out;
    }

    private static MemorySegment gaussian(DType dtype, long count, Random random) {
        MemorySegment s = Native.allocate(count, dtype);
        for (long i = 0; i < count; i++) {
            Elements.setFloat(s, dtype, i, (float) random.nextGaussian());
        }
        return s;
    }

    /** The problem in words, for messages. */
    public String describe() {
        return (format == null
                        ? "affine " + bits + "-bit group " + groupSize
                        : format + (globalScale == null ? "" : " global " + globalScale))
                + " " + dtype + " batches " + batches + (sharedWeight ? " (shared weight)" : "") + " m " + m + " k " + k
                + " n " + n + (transpose ? " transposed" : "");
    }

    public long outBytes() {
        return (long) batches * m * n * dtype.byteSize();
    }

    /** Computes the product into {@code out} with {@code kernels}, waits, and {@link #check}s it. */
    public void runAndCheck(GpuKernels kernels, MemorySegment out) {
        CompletableFuture<Void> done = format == null
                ? kernels.affineMatmulAsync(
                        x,
                        packed,
                        scales,
                        biases,
                        dtype,
                        batches,
                        m,
                        k,
                        n,
                        transpose,
                        sharedWeight,
                        groupSize,
                        bits,
                        out)
                : kernels.fpMatmulAsync(
                        x, packed, scales, dtype, batches, m, k, n, transpose, sharedWeight, format, globalScale, out);
        kernels.queue().flush();
        done.join();
        check(out, describe());
    }

    /** Checks {@code out} (the GPU's result) against the CPU kernels, batch by batch. */
    public void check(MemorySegment out, String label) {
        int rows = transpose ? n : k;
        int cols = transpose ? k : n;
        int es = dtype.byteSize();
        long wordsPerBatch = (long) rows * cols * bits / 32;
        long groupsPerBatch = (long) rows * cols / groupSize;
        int ses = format == null ? es : 1;
        double u = switch (dtype) {
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            default -> 0x1p-24;
        };
        float[] magnitudes = weightMagnitudes(rows, cols, wordsPerBatch, groupsPerBatch, ses);
        for (int b = 0; b < batches; b++) {
            long wb = sharedWeight ? 0 : b;
            MemorySegment xb = x.asSlice((long) b * m * k * es, (long) m * k * es);
            MemorySegment pb = packed.asSlice(wb * wordsPerBatch * 4, wordsPerBatch * 4);
            MemorySegment sb = scales.asSlice(wb * groupsPerBatch * ses, groupsPerBatch * ses);
            MemorySegment expected = Native.allocate((long) m * n, dtype);
            if (format == null) {
                MemorySegment bb = biases.asSlice(wb * groupsPerBatch * es, groupsPerBatch * es);
                CPU.affineMatmul(xb, pb, sb, bb, dtype, m, k, n, transpose, groupSize, bits, expected);
            } else {
                CPU.fpMatmul(xb, pb, sb, dtype, m, k, n, transpose, format, globalScale, expected);
            }
            int w0 = (int) (wb * rows * cols);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double magnitude = 0;
                    for (int kk = 0; kk < k; kk++) {
                        magnitude += Math.abs((double) Elements.getFloat(xb, dtype, (long) i * k + kk))
                                * magnitudes[w0 + (transpose ? j * cols + kk : kk * cols + j)];
                    }
                    float want = Elements.getFloat(expected, dtype, (long) i * n + j);
                    float got = Elements.getFloat(out, dtype, ((long) b * m + i) * n + j);
                    double bound = (2.0 * (k + 2) * 0x1p-24 + 2 * u) * magnitude + 2 * u * Math.abs(want);
                    if (!(Math.abs((double) got - want) <= bound)) {
                        fail(label + ": batch " + b + " output (" + i + ", " + j + "): GPU " + got + ", CPU " + want
                                + ", bound " + bound);
                    }
                }
            }
        }
    }
}
