package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.backend.AttentionSpec;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.KernelSet;
import io.jmlx.kernels.ScalarKernels;
import java.lang.foreign.MemorySegment;

/**
 * The fast kernels, on the Panama Vector API ({@code jdk.incubator.vector}) and the shared kernel thread pool.
 * Operations without a vectorized implementation yet fall back to the {@link ScalarKernels} reference.
 */
public final class VectorKernels implements KernelSet {
    /** Rows of x from which quantized matmuls decode weight panels for the blocked kernel. */
    static final int BLOCKED_FROM = 16;

    /** Values of the second operand from which a dense matmul of enough rows takes the blocked kernel. */
    static final int DENSE_BLOCKED_FROM = 1 << 14;

    private final ScalarKernels reference = new ScalarKernels();

    @Override
    public String name() {
        return "vector";
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
        if (VectorAffineQuantizer.supports(dtype, cols, groupSize, bits)) {
            VectorAffineQuantizer.quantize(w, dtype, rows, cols, groupSize, bits, packed, scales, biases);
        } else {
            reference.affineQuantize(w, dtype, rows, cols, groupSize, bits, packed, scales, biases);
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
        if (VectorAffineDequantizer.supports(dtype, cols, groupSize, bits)) {
            VectorAffineDequantizer.dequantize(packed, scales, biases, dtype, rows, cols, groupSize, bits, out);
        } else {
            reference.affineDequantize(packed, scales, biases, dtype, rows, cols, groupSize, bits, out);
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
        if (!BlockDecoder.supports(cols, groupSize)) {
            reference.affineMatmul(x, packed, scales, biases, dtype, m, k, n, transpose, groupSize, bits, out);
            return;
        }
        Scratch scratch = Scratch.get();
        float[] xs = read(x, dtype, m * k, scratch);
        CodeFormat format = CodeFormat.affine(bits);
        boolean packedRows = m < BLOCKED_FROM && transpose && PackedRowMatmul.supports(format, k, groupSize);
        float[] y = scratch.output(Math.multiplyExact(m, n), !packedRows);
        if (packedRows && ActivationPrecision.INT8 && Int8ActivationMatmul.supports(bits, k, groupSize)) {
            Int8ActivationMatmul.transposed(
                    xs, m, k, n, packed, RowScales.affine(scales, biases, dtype, k / groupSize, groupSize), y);
        } else if (packedRows) {
            PackedRowMatmul.transposed(
                    xs, m, k, n, packed, format, RowScales.affine(scales, biases, dtype, k / groupSize, groupSize), y);
        } else if (m < BLOCKED_FROM && !transpose && AffinePlaneMatmul.supports(n, bits)) {
            AffinePlaneMatmul.plain(xs, m, k, n, packed, scales, biases, dtype, groupSize, bits, y);
        } else {
            decodedMatmul(
                    xs,
                    m,
                    k,
                    n,
                    transpose,
                    BlockDecoder.affine(packed, scales, biases, dtype, cols, groupSize, bits),
                    y);
        }
        HalfVectors.storeRow(y, 0, m * n, dtype, out, 0);
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
        if (VectorFpQuantizer.supports(dtype, cols, format)) {
            VectorFpQuantizer.quantize(w, dtype, rows, cols, format, globalScale, packed, scales);
        } else {
            reference.fpQuantize(w, dtype, rows, cols, format, globalScale, packed, scales);
        }
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
        if (VectorFpDequantizer.supports(cols, format, outType)) {
            VectorFpDequantizer.dequantize(packed, scales, rows, cols, format, globalScale, outType, out);
        } else {
            reference.fpDequantize(packed, scales, rows, cols, format, globalScale, outType, out);
        }
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
        if (!BlockDecoder.supports(cols, format.groupSize())) {
            reference.fpMatmul(x, packed, scales, dtype, m, k, n, transpose, format, globalScale, out);
            return;
        }
        Scratch scratch = Scratch.get();
        float[] xs = read(x, dtype, m * k, scratch);
        CodeFormat codes = CodeFormat.of(format);
        boolean packedRows = m < BLOCKED_FROM && transpose && PackedRowMatmul.supports(codes, k, format.groupSize());
        float[] y = scratch.output(Math.multiplyExact(m, n), !packedRows);
        if (packedRows) {
            PackedRowMatmul.transposed(
                    xs,
                    m,
                    k,
                    n,
                    packed,
                    codes,
                    RowScales.microscaled(scales, format, globalScale, k / format.groupSize()),
                    y);
        } else {
            decodedMatmul(
                    xs, m, k, n, transpose, BlockDecoder.microscaled(packed, scales, cols, format, globalScale), y);
        }
        HalfVectors.storeRow(y, 0, m * n, dtype, out, 0);
    }

    @Override
    public void matmul(MemorySegment a, MemorySegment b, DType dtype, int m, int k, int n, MemorySegment out) {
        if (dtype == DType.FLOAT64) {
            reference.matmul(a, b, dtype, m, k, n, out);
            return;
        }
        float[] y = new float[Math.multiplyExact(m, n)];
        float[] as = read(a, dtype, m * k, null);
        float[] bs = read(b, dtype, k * n, null);
        boolean blocked = m >= BLOCKED_FROM && (long) k * n >= DENSE_BLOCKED_FROM && BlockedMatmul.supports();
        if (blocked && n % LaneShapes.BLOCK == 0) {
            // Rows of b are the vector operand as they are stored (a Linear's cached Wᵀ, for one).
            BlockedMatmul.plain(as, m, k, n, new DenseRows(bs, n), y);
        } else if (blocked && k % LaneShapes.BLOCK == 0) {
            // The transposed kernel multiplies by rows of bᵀ: b transposed once (k·n copies for m·k·n multiply-adds).
            float[] bt = new float[k * n];
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < n; j++) {
                    bt[j * k + kk] = bs[kk * n + j];
                }
            }
            BlockedMatmul.transposed(as, m, k, n, new DenseRows(bt, k), y);
        } else {
            DenseMatmul.multiply(as, bs, m, k, n, y);
        }
        HalfVectors.storeRow(y, 0, m * n, dtype, out, 0);
    }

    @Override
    public void attention(
            AttentionSpec spec,
            MemorySegment q,
            MemorySegment k,
            MemorySegment v,
            MemorySegment mask,
            MemorySegment out) {
        if (LaneShapes.USABLE) {
            VectorAttention.attention(spec, q, k, v, mask, out);
        } else {
            reference.attention(spec, q, k, v, mask, out);
        }
    }

    /** A product whose weight rows {@code weight} decodes: blocked for many rows of x, row by row for a few. */
    private static void decodedMatmul(float[] x, int m, int k, int n, boolean transpose, WeightRows weight, float[] y) {
        boolean blocked = m >= BLOCKED_FROM && BlockedMatmul.supports();
        if (transpose) {
            if (blocked) {
                BlockedMatmul.transposed(x, m, k, n, weight, y);
            } else {
                DecodedMatmul.transposed(x, m, k, n, weight, y);
            }
        } else if (blocked) {
            BlockedMatmul.plain(x, m, k, n, weight, y);
        } else {
            DecodedMatmul.plain(x, m, k, n, weight, y);
        }
    }

    /**
     * The first {@code count} elements of {@code seg} (float32, float16 or bfloat16) as floats, in the thread's
     * input buffer when {@code scratch} is given.
     */
    private static float[] read(MemorySegment seg, DType dtype, int count, Scratch scratch) {
        float[] values = scratch == null ? new float[count] : scratch.input(count);
        HalfVectors.widenRow(seg, 0, dtype, values, count);
        return values;
    }
}
