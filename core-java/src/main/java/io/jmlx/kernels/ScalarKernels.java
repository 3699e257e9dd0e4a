package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.backend.AttentionSpec;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The reference kernels: plain loops that follow MLX's CPU backend step by step (see
 * {@code shared/spec/mlx-quantization.md} §1–4). Every faster implementation must agree with these. Quantization
 * splits its rows over the kernel threads.
 */
public final class ScalarKernels implements KernelSet {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void affineQuantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases) {
        int groups = cols / groupSize;
        long wordsPerRow = BitPacking.words(cols, bits);
        forEachRows(rows, cols, (from, to) -> {
            float[] row = new float[cols];
            int[] codes = new int[cols];
            float[] rowScales = new float[groups];
            float[] rowBiases = new float[groups];
            for (long r = from; r < to; r++) {
                Elements.readRow(w, dtype, r * cols, row, cols);
                for (int g = 0; g < groups; g++) {
                    quantizeGroup(row, g * groupSize, groupSize, bits, codes, rowScales, rowBiases, g, r);
                }
                BitPacking.packRow(codes, cols, bits, packed, r * wordsPerRow);
                Elements.writeRow(rowScales, groups, scales, dtype, r * groups);
                Elements.writeRow(rowBiases, groups, biases, dtype, r * groups);
            }
        });
    }

    /** Rows of a quantization or decoding, {@code [from, to)}. */
    private interface RowRange {
        void rows(long from, long to);
    }

    /**
     * Runs {@code body} over the rows in blocks of about 64K elements, split over the kernel threads (every row is
     * computed alone, so the split does not change the result). An error is the first block's to fail, as if the
     * rows had run in order.
     */
    private static void forEachRows(long rows, int cols, RowRange body) {
        long per = Math.max(1, (1 << 16) / Math.max(1, cols));
        int blocks = Math.toIntExact((rows + per - 1) / per);
        AtomicReferenceArray<RuntimeException> failures = new AtomicReferenceArray<>(blocks);
        KernelThreads.forEach(blocks, b -> {
            try {
                body.rows(b * per, Math.min(rows, (b + 1) * per));
            } catch (RuntimeException e) {
                failures.set(b, e);
            }
        });
        for (int b = 0; b < blocks; b++) {
            if (failures.get(b) != null) {
                throw failures.get(b);
            }
        }
    }

    /**
     * One group, in float32 exactly as MLX's CPU {@code quantize}: the scale takes the sign that keeps the
     * larger-magnitude edge as the bias, is snapped so that 0 lies on the grid, and codes are rounded half to even.
     */
    private static void quantizeGroup(
            float[] row, int from, int size, int bits, int[] codes, float[] scales, float[] biases, int g, long r) {
        float nBins = (1 << bits) - 1;
        float wMax = Float.NEGATIVE_INFINITY;
        float wMin = Float.POSITIVE_INFINITY;
        // Math.max and min carry a NaN through and differ from MLX's comparisons only in the sign of a zero extreme,
        // which gives the same scale and bias; a loop without a branch compiles to vector instructions.
        for (int j = from; j < from + size; j++) {
            wMax = Math.max(wMax, row[j]);
            wMin = Math.min(wMin, row[j]);
        }
        if (!Float.isFinite(wMax) || !Float.isFinite(wMin)) {
            throw nonFinite(row, from, size, r);
        }
        AffineGroupParams.compute(wMin, wMax, nBins, scales, biases, g);
        float scale = scales[g];
        float bias = biases[g];
        for (int j = from; j < from + size; j++) {
            float t = (float) Math.rint((row[j] - bias) / scale);
            codes[j] = (int) Math.min(Math.max(t, 0f), nBins);
        }
    }

    /** The error for the first NaN or infinity of a group (one is there). */
    private static IllegalArgumentException nonFinite(float[] row, int from, int size, long r) {
        int j = from;
        while (j < from + size - 1 && Float.isFinite(row[j])) {
            j++;
        }
        return new IllegalArgumentException("w has the non-finite value " + row[j] + " at row " + r + ", column " + j
                + "; MLX's result for NaN and Inf is unspecified, so jmlx refuses to quantize it");
    }

    @Override
    public void fpQuantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            MemorySegment packed,
            MemorySegment scales) {
        int g = format.groupSize();
        int groups = cols / g;
        long wordsPerRow = BitPacking.words(cols, format.bits());
        forEachRows(rows, cols, (from, to) -> {
            float[] row = new float[cols];
            int[] codes = new int[cols];
            for (long r = from; r < to; r++) {
                Elements.readRow(w, dtype, r * cols, row, cols);
                for (int group = 0; group < groups; group++) {
                    int scale = format == FpFormat.NVFP4
                            ? quantizeNvGroup(row, group * g, g, dtype, globalScale, codes)
                            : quantizeMxGroup(row, group * g, g, dtype, format, codes);
                    scales.set(java.lang.foreign.ValueLayout.JAVA_BYTE, r * groups + group, (byte) scale);
                }
                BitPacking.packRow(codes, cols, format.bits(), packed, r * wordsPerRow);
            }
        });
    }

    /** The largest |w| of a group (NaN left out, as MLX's {@code amax < a ? a : amax}). */
    private static float amax(float[] row, int from, int size) {
        float amax = 0f;
        for (int j = from; j < from + size; j++) {
            float a = Math.abs(row[j]);
            amax = amax < a ? a : amax;
        }
        return amax;
    }

    /**
     * mxfp4/mxfp8, MLX's CPU graph: the scale is {@code 2^e} ({@link FpFormat#groupScale}), elements are
     * {@code w / 2^e} in the input's type.
     */
    private static int quantizeMxGroup(float[] row, int from, int size, DType dtype, FpFormat format, int[] codes) {
        FpFormat.GroupScale scale = format.groupScale(amax(row, from, size), dtype, 1f);
        for (int j = from; j < from + size; j++) {
            float v = FloatFormats.roundTo(dtype, row[j] / scale.divisor());
            codes[j] = format == FpFormat.MXFP4 ? FpCodecs.fp4Encode(v, dtype) : FpCodecs.fp8Encode(v);
        }
        return scale.scaleByte();
    }

    /**
     * nvfp4, MLX's CPU graph: the scale is E4M3 of {@code (amax/6)·enc} ({@link FpFormat#groupScale}), with
     * {@code enc = 448·6 / globalScale} or 1; elements are {@code (w / scale)·enc}, divided in the input's type
     * and multiplied in float32; codes come from float32 distances.
     */
    private static int quantizeNvGroup(float[] row, int from, int size, DType dtype, Float globalScale, int[] codes) {
        float enc = globalScale == null ? 1f : FpCodecs.FP8_MAX * FpCodecs.FP4_MAX / globalScale;
        FpFormat.GroupScale scale = FpFormat.NVFP4.groupScale(amax(row, from, size), dtype, enc);
        for (int j = from; j < from + size; j++) {
            float v = FloatFormats.roundTo(dtype, row[j] / scale.divisor()) * enc;
            codes[j] = FpCodecs.fp4Encode(v, DType.FLOAT32);
        }
        return scale.scaleByte();
    }

    @Override
    public void fpDequantize(
            MemorySegment packed,
            MemorySegment scales,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            DType outType,
            MemorySegment out) {
        int g = format.groupSize();
        int groups = cols / g;
        long wordsPerRow = BitPacking.words(cols, format.bits());
        DType compute = globalScale == null ? outType : DType.FLOAT32;
        int[] codes = new int[cols];
        float[] row = new float[cols];
        for (long r = 0; r < rows; r++) {
            BitPacking.unpackRow(packed, r * wordsPerRow, cols, format.bits(), codes);
            for (int group = 0; group < groups; group++) {
                int code = scales.get(java.lang.foreign.ValueLayout.JAVA_BYTE, r * groups + group) & 0xFF;
                float scale = FloatFormats.roundTo(outType, format.scale(code));
                if (globalScale != null) {
                    scale *= FpFormat.globalFactor(globalScale);
                }
                for (int j = group * g; j < (group + 1) * g; j++) {
                    row[j] = FloatFormats.roundTo(
                            compute, FloatFormats.roundTo(outType, format.element(codes[j])) * scale);
                }
            }
            Elements.writeRow(row, cols, out, outType, r * cols);
        }
    }

    @Override
    public void affineDequantize(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment out) {
        RowDecoder decoder = RowDecoder.affine(packed, scales, biases, dtype, cols, groupSize, bits);
        float[] row = new float[cols];
        for (long r = 0; r < rows; r++) {
            decoder.decode(r, row);
            Elements.writeRow(row, cols, out, dtype, r * cols);
        }
    }

    @Override
    public void affineMatmul(
            MemorySegment x,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int m,
            int k,
            int n,
            boolean transpose,
            int groupSize,
            int bits,
            MemorySegment out) {
        int cols = transpose ? k : n;
        matmul(
                x,
                dtype,
                m,
                k,
                n,
                transpose,
                RowDecoder.affine(packed, scales, biases, dtype, cols, groupSize, bits),
                out);
    }

    @Override
    public void fpMatmul(
            MemorySegment x,
            MemorySegment packed,
            MemorySegment scales,
            DType dtype,
            int m,
            int k,
            int n,
            boolean transpose,
            FpFormat format,
            Float globalScale,
            MemorySegment out) {
        int cols = transpose ? k : n;
        matmul(x, dtype, m, k, n, transpose, RowDecoder.microscaled(packed, scales, cols, format, globalScale), out);
    }

    /**
     * {@code out = x · Ŵ} (or {@code x · Ŵᵀ}) with the weight rows delivered by {@code decoder}: float32 sums,
     * k ascending, rounded to {@code dtype} once.
     */
    private static void matmul(
            MemorySegment x,
            DType dtype,
            int m,
            int k,
            int n,
            boolean transpose,
            RowDecoder decoder,
            MemorySegment out) {
        float[] xs = new float[Math.multiplyExact(m, k)];
        Elements.readRow(x, dtype, 0, xs, xs.length);
        float[] acc = new float[Math.multiplyExact(m, n)];
        if (transpose) {
            // W is [n, k]: decode one output row's weights, dot it with every row of x.
            float[] wRow = new float[k];
            for (int j = 0; j < n; j++) {
                decoder.decode(j, wRow);
                for (int i = 0; i < m; i++) {
                    float sum = 0f;
                    int xi = i * k;
                    for (int kk = 0; kk < k; kk++) {
                        sum += xs[xi + kk] * wRow[kk];
                    }
                    acc[i * n + j] = sum;
                }
            }
        } else {
            // W is [k, n]: decode row kk of W and add x[:, kk] times it to every output row (k ascending).
            float[] wRow = new float[n];
            for (int kk = 0; kk < k; kk++) {
                decoder.decode(kk, wRow);
                for (int i = 0; i < m; i++) {
                    float xv = xs[i * k + kk];
                    int yi = i * n;
                    for (int j = 0; j < n; j++) {
                        acc[yi + j] += xv * wRow[j];
                    }
                }
            }
        }
        Elements.writeRow(acc, acc.length, out, dtype, 0);
    }

    @Override
    public void matmul(MemorySegment a, MemorySegment b, DType dtype, int m, int k, int n, MemorySegment out) {
        if (dtype == DType.FLOAT64) {
            matmulDouble(a, b, m, k, n, out);
            return;
        }
        float[] as = new float[Math.multiplyExact(m, k)];
        float[] bs = new float[Math.multiplyExact(k, n)];
        Elements.readRow(a, dtype, 0, as, as.length);
        Elements.readRow(b, dtype, 0, bs, bs.length);
        float[] acc = new float[Math.multiplyExact(m, n)];
        for (int i = 0; i < m; i++) {
            for (int kk = 0; kk < k; kk++) {
                float av = as[i * k + kk];
                int bi = kk * n;
                int yi = i * n;
                for (int j = 0; j < n; j++) {
                    acc[yi + j] += av * bs[bi + j];
                }
            }
        }
        Elements.writeRow(acc, acc.length, out, dtype, 0);
    }

    @Override
    public void attention(
            AttentionSpec spec,
            MemorySegment q,
            MemorySegment k,
            MemorySegment v,
            MemorySegment mask,
            MemorySegment out) {
        ScalarAttention.attention(spec, q, k, v, mask, out);
    }

    private static void matmulDouble(MemorySegment a, MemorySegment b, int m, int k, int n, MemorySegment out) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int kk = 0; kk < k; kk++) {
                    sum += a.getAtIndex(Elements.F64, (long) i * k + kk)
                            * b.getAtIndex(Elements.F64, (long) kk * n + j);
                }
                out.setAtIndex(Elements.F64, (long) i * n + j, sum);
            }
        }
    }
}
