package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.Kernels;
import io.jmlx.kernels.RowDecoder;
import io.jmlx.kernels.ScalarKernels;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * The fast kernels, on the Panama Vector API ({@code jdk.incubator.vector}) and the shared kernel thread pool.
 * Operations without a vectorized implementation yet fall back to the {@link ScalarKernels} reference.
 */
public final class VectorKernels implements Kernels {
    private final ScalarKernels reference = new ScalarKernels();

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void affineQuantize(MemorySegment w, DType dtype, long rows, int cols, int groupSize, int bits,
                               MemorySegment packed, MemorySegment scales, MemorySegment biases) {
        if (VectorAffineQuantizer.supports(dtype, cols, groupSize, bits)) {
            VectorAffineQuantizer.quantize(w, dtype, rows, cols, groupSize, bits, packed, scales, biases);
        } else {
            reference.affineQuantize(w, dtype, rows, cols, groupSize, bits, packed, scales, biases);
        }
    }

    @Override
    public void affineDequantize(MemorySegment packed, MemorySegment scales, MemorySegment biases, DType dtype,
                                 long rows, int cols, int groupSize, int bits, MemorySegment out) {
        if (VectorAffineDequantizer.supports(dtype, cols, groupSize, bits)) {
            VectorAffineDequantizer.dequantize(packed, scales, biases, dtype, rows, cols, groupSize, bits, out);
        } else {
            reference.affineDequantize(packed, scales, biases, dtype, rows, cols, groupSize, bits, out);
        }
    }

    @Override
    public void affineMatmul(MemorySegment x, MemorySegment packed, MemorySegment scales, MemorySegment biases,
                             DType dtype, int m, int k, int n, boolean transpose, int groupSize, int bits,
                             MemorySegment out) {
        float[] xs = read(x, dtype, m * k);
        float[] y = new float[Math.multiplyExact(m, n)];
        if (AffinePlaneMatmul.supports(transpose ? k : n, bits)) {
            if (transpose) {
                AffinePlaneMatmul.transposed(xs, m, k, n, packed, scales, biases, dtype, groupSize, bits, y);
            } else {
                AffinePlaneMatmul.plain(xs, m, k, n, packed, scales, biases, dtype, groupSize, bits, y);
            }
        } else {
            int cols = transpose ? k : n;
            decodedMatmul(xs, m, k, n, transpose,
                    () -> RowDecoder.affine(packed, scales, biases, dtype, cols, groupSize, bits), y);
        }
        Elements.writeRow(y, y.length, out, dtype, 0);
    }

    @Override
    public void fpQuantize(MemorySegment w, DType dtype, long rows, int cols, FpFormat format, Float globalScale,
                           MemorySegment packed, MemorySegment scales) {
        if (VectorFpQuantizer.supports(dtype, cols, format)) {
            VectorFpQuantizer.quantize(w, dtype, rows, cols, format, globalScale, packed, scales);
        } else {
            reference.fpQuantize(w, dtype, rows, cols, format, globalScale, packed, scales);
        }
    }

    @Override
    public void fpDequantize(MemorySegment packed, MemorySegment scales, long rows, int cols, FpFormat format,
                             Float globalScale, DType outType, MemorySegment out) {
        if (VectorFpDequantizer.supports(cols, format, outType)) {
            VectorFpDequantizer.dequantize(packed, scales, rows, cols, format, globalScale, outType, out);
        } else {
            reference.fpDequantize(packed, scales, rows, cols, format, globalScale, outType, out);
        }
    }

    @Override
    public void fpMatmul(MemorySegment x, MemorySegment packed, MemorySegment scales, DType dtype, int m, int k, int n,
                         boolean transpose, FpFormat format, Float globalScale, MemorySegment out) {
        float[] xs = read(x, dtype, m * k);
        float[] y = new float[Math.multiplyExact(m, n)];
        int cols = transpose ? k : n;
        decodedMatmul(xs, m, k, n, transpose, () -> RowDecoder.microscaled(packed, scales, cols, format, globalScale), y);
        Elements.writeRow(y, y.length, out, dtype, 0);
    }

    @Override
    public void matmul(MemorySegment a, MemorySegment b, DType dtype, int m, int k, int n, MemorySegment out) {
        if (dtype == DType.FLOAT64) {
            reference.matmul(a, b, dtype, m, k, n, out);
            return;
        }
        float[] y = new float[Math.multiplyExact(m, n)];
        DenseMatmul.multiply(read(a, dtype, m * k), read(b, dtype, k * n), m, k, n, y);
        Elements.writeRow(y, y.length, out, dtype, 0);
    }

    private static void decodedMatmul(float[] x, int m, int k, int n, boolean transpose,
                                      Supplier<RowDecoder> decoders, float[] y) {
        if (transpose) {
            DecodedMatmul.transposed(x, m, k, n, decoders, y);
        } else {
            DecodedMatmul.plain(x, m, k, n, decoders, y);
        }
    }

    private static float[] read(MemorySegment seg, DType dtype, int count) {
        float[] values = new float[count];
        Elements.readRow(seg, dtype, 0, values, count);
        return values;
    }
}
