package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.backend.MatmulKernels;
import io.jmlx.backend.MatmulSpec;
import io.jmlx.backend.QuantizationKernels;
import io.jmlx.backend.QuantizedBuffers;
import io.jmlx.backend.QuantizedLayout;
import io.jmlx.backend.QuantizedMatmulSpec;
import io.jmlx.quant.QuantizationSettings;
import java.lang.foreign.MemorySegment;

/**
 * The CPU's quantization and dense matmul kernels, in two implementations that {@link KernelProvider} chooses between
 * (like Lucene's vectorization provider): the plain scalar reference ({@link ScalarKernels}) and the Vector API
 * kernels. The backend families ({@link QuantizationKernels}, {@link MatmulKernels}) are implemented here once, by
 * dispatching on the mode to the primitives below, which each implementation provides: contiguous little-endian
 * native segments and plain dimensions, one matrix at a time.
 *
 * <p>Affine layout (MLX's): a row of {@code cols} codes is a little-endian bit stream of {@code cols * bits / 32}
 * uint32 words; a row of {@code cols / groupSize} scales and as many biases (of the weight's float type) goes
 * with it, and element {@code j} decodes to {@code scale * code + bias}.
 */
public interface KernelSet extends QuantizationKernels, MatmulKernels {

    /** A short name for messages and benchmarks, e.g. {@code scalar}. */
    String name();

    /**
     * Quantizes {@code rows × cols} elements of {@code w} (float32, float16 or bfloat16) with MLX's affine CPU
     * algorithm, writing packed codes, and scales and biases of {@code w}'s type.
     *
     * @throws IllegalArgumentException if {@code w} holds NaN or an infinity (MLX's result is unspecified there)
     */
    void affineQuantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases);

    /**
     * Decodes {@code rows × cols} elements: {@code out = scale * code + bias}, each op rounded to {@code dtype}
     * (the type of scales, biases and out), as MLX's CPU backend does.
     */
    void affineDequantize(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment out);

    /**
     * {@code out[m × n] = x[m × k] · Ŵ}, where Ŵ is the dequantized weight ({@link #affineDequantize}):
     * with {@code transpose}, W is stored {@code [n, k]} (groups along k) and the product is {@code x · Ŵᵀ};
     * without, W is stored {@code [k, n]} (groups along n). x, scales, biases and out are all of {@code dtype};
     * sums are accumulated in float32 and rounded to {@code dtype} once. Implementations may apply scale and bias
     * per group ({@code s·Σx·q + b·Σx}) instead of per weight; the order of additions must depend on the shapes
     * only, never on the number of threads.
     */
    void affineMatmul(
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
            MemorySegment out);

    /**
     * Quantizes {@code rows × cols} elements of {@code w} (float32, float16 or bfloat16) in a microscaling format
     * as MLX's CPU backend does, writing packed element codes and one uint8 scale per group.
     *
     * @param globalScale nvfp4's optional global scale, {@code null} for none
     */
    void fpQuantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            MemorySegment packed,
            MemorySegment scales);

    /**
     * Decodes {@code rows × cols} microscaled elements into {@code out} of {@code outType}: {@code element · scale}
     * computed in {@code outType} as MLX does, or in float32 when a global scale is given (then rounded to
     * {@code outType}).
     */
    void fpDequantize(
            MemorySegment packed,
            MemorySegment scales,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            DType outType,
            MemorySegment out);

    /**
     * {@link #affineMatmul} for a microscaled weight: x and out are of {@code dtype}; decoded weights
     * ({@code element · scale}, times the global factor when given) are exact in float32, sums accumulate in
     * float32 and are rounded to {@code dtype} once.
     */
    void fpMatmul(
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
            MemorySegment out);

    /**
     * Dense {@code out[m × n] = a[m × k] · b[k × n]} for a floating {@code dtype}, accumulating in float32
     * (float64 for float64) and rounding to {@code dtype} once per element.
     */
    void matmul(MemorySegment a, MemorySegment b, DType dtype, int m, int k, int n, MemorySegment out);

    @Override
    default void quantize(QuantizedLayout layout, MemorySegment w, QuantizedBuffers out) {
        QuantizationSettings s = layout.settings();
        if (s.mode().isAffine()) {
            affineQuantize(
                    w,
                    layout.dtype(),
                    layout.rows(),
                    layout.cols(),
                    s.groupSize(),
                    s.bits(),
                    out.packed(),
                    out.scales(),
                    out.biases());
        } else {
            fpQuantize(
                    w,
                    layout.dtype(),
                    layout.rows(),
                    layout.cols(),
                    FpFormat.of(s.mode()),
                    layout.globalScale(),
                    out.packed(),
                    out.scales());
        }
    }

    @Override
    default void dequantize(QuantizedLayout layout, QuantizedBuffers in, MemorySegment out) {
        QuantizationSettings s = layout.settings();
        if (s.mode().isAffine()) {
            affineDequantize(
                    in.packed(),
                    in.scales(),
                    in.biases(),
                    layout.dtype(),
                    layout.rows(),
                    layout.cols(),
                    s.groupSize(),
                    s.bits(),
                    out);
        } else {
            fpDequantize(
                    in.packed(),
                    in.scales(),
                    layout.rows(),
                    layout.cols(),
                    FpFormat.of(s.mode()),
                    layout.globalScale(),
                    layout.dtype(),
                    out);
        }
    }

    @Override
    default void matmul(QuantizedMatmulSpec spec, MemorySegment x, QuantizedBuffers w, MemorySegment out) {
        QuantizationSettings s = spec.settings();
        if (s.mode().isAffine()) {
            affineMatmul(
                    x,
                    w.packed(),
                    w.scales(),
                    w.biases(),
                    spec.dtype(),
                    spec.m(),
                    spec.k(),
                    spec.n(),
                    spec.transpose(),
                    s.groupSize(),
                    s.bits(),
                    out);
        } else {
            fpMatmul(
                    x,
                    w.packed(),
                    w.scales(),
                    spec.dtype(),
                    spec.m(),
                    spec.k(),
                    spec.n(),
                    spec.transpose(),
                    FpFormat.of(s.mode()),
                    spec.globalScale(),
                    out);
        }
    }

    @Override
    default void matmul(MatmulSpec spec, MemorySegment a, MemorySegment b, MemorySegment out) {
        matmul(a, b, spec.dtype(), spec.m(), spec.k(), spec.n(), out);
    }
}
