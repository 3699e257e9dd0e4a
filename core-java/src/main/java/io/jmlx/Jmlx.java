package io.jmlx;

import io.jmlx.backend.BinaryFunction;
import io.jmlx.backend.Reduction;
import io.jmlx.backend.UnaryFunction;
import io.jmlx.ops.AttentionOp;
import io.jmlx.ops.BinaryOp;
import io.jmlx.ops.DenseOps;
import io.jmlx.ops.DequantizeOp;
import io.jmlx.ops.NormOps;
import io.jmlx.ops.QuantizeOp;
import io.jmlx.ops.QuantizedMatmulOp;
import io.jmlx.ops.ReduceOp;
import io.jmlx.ops.RopeOp;
import io.jmlx.ops.ShapeOps;
import io.jmlx.ops.TakeOp;
import io.jmlx.ops.UnaryOp;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.stream.StreamOrDevice;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The ops of jmlx with MLX's names and defaults, as static methods ({@code import static io.jmlx.Jmlx.*}).
 * Every op checks its arguments at once (throwing {@link IllegalArgumentException} with MLX's message), then
 * computes on its stream: the last argument names a {@link io.jmlx.stream.Stream} or
 * {@link io.jmlx.stream.Device} ({@code null} or left out: the default stream). {@link #eval} waits for
 * results, {@link #asyncEval} returns a future.
 *
 * <pre>{@code
 * QuantizedParts q = quantize(w, 64, 4);                   // affine, MLX bytes
 * Array wHat = dequantize(q.packed(), q.scales(), q.biases(), 64, 4);
 * Array y = quantizedMatmul(x, q.packed(), q.scales(), q.biases(), true, 64, 4);
 * eval(y);
 * }</pre>
 */
public final class Jmlx {
    private Jmlx() {}

    // ---------------------------------------------------------------- evaluation

    /** Waits until every array is computed; throws {@link EvaluationException} naming the op if one failed. */
    public static void eval(Tensor... arrays) {
        for (Tensor t : arrays) {
            for (Array a : parts(t)) {
                a.data();
            }
        }
    }

    /** A future that completes when every array is computed (exceptionally, with an {@link EvaluationException}, if one failed). */
    public static CompletableFuture<Void> asyncEval(Tensor... arrays) {
        int count = 0;
        for (Tensor t : arrays) {
            count += parts(t).length;
        }
        CompletableFuture<?>[] futures = new CompletableFuture<?>[count];
        int i = 0;
        for (Tensor t : arrays) {
            for (Array a : parts(t)) {
                futures[i++] = a.dataFuture();
            }
        }
        return CompletableFuture.allOf(futures);
    }

    /** MLX's mode string, parsed with MLX's message naming {@code op} ({@code [op] Invalid quantization mode 'x'.}). */
    private static QuantizationMode mode(String op, String mode) {
        return QuantizationMode.parse(op, mode);
    }

    private static Array[] parts(Tensor t) {
        return switch (t) {
            case QuantizedArray q ->
                java.util.stream.Stream.of(q.packed(), q.scales(), q.biases(), q.globalScale())
                        .filter(java.util.Objects::nonNull)
                        .toArray(Array[]::new);
            case Array a -> new Array[] {a};
        };
    }

    // ---------------------------------------------------------------- dense ops

    /** {@code a} converted to {@code dtype}: half types round to nearest even, integers truncate. */
    public static Array astype(Array a, DType dtype) {
        return DenseOps.astype(a, dtype, null);
    }

    /** {@link #astype(Array, DType)} on the given stream or device. */
    public static Array astype(Array a, DType dtype, StreamOrDevice s) {
        return DenseOps.astype(a, dtype, s);
    }

    /** Swaps the last two axes (a copy). */
    public static Array matrixTranspose(Array a) {
        return DenseOps.matrixTranspose(a, null);
    }

    /** {@link #matrixTranspose(Array)} on the given stream or device. */
    public static Array matrixTranspose(Array a, StreamOrDevice s) {
        return DenseOps.matrixTranspose(a, s);
    }

    /**
     * Matrix product with NumPy's rules (1-D operands, broadcast batch dims). When {@code b} is a
     * {@link QuantizedArray} the product runs on its packed data ({@code quantized_matmul}); a quantized
     * {@code a} is not supported.
     */
    public static Array matmul(Tensor a, Tensor b) {
        return matmul(a, b, null);
    }

    /** {@link #matmul(Tensor, Tensor)} on the given stream or device. */
    public static Array matmul(Tensor a, Tensor b, StreamOrDevice s) {
        if (a instanceof QuantizedArray) {
            throw new IllegalArgumentException(
                    "[matmul] a quantized left operand is not supported: put the quantized "
                            + "matrix on the right (matmul(x, w), or matmul(x, w.transpose()) for x @ wᵀ), or dequantize() it.");
        }
        Array x = (Array) a;
        return switch (b) {
            case QuantizedArray q ->
                QuantizedMatmulOp.quantizedMatmul(
                        x, q.packed(), q.scales(), q.biases(), q.isTransposed(), q.settings(), q.globalScale(), s);
            case Array w -> DenseOps.matmul(x, w, s);
        };
    }

    /**
     * Elementwise {@code a + b} with NumPy broadcasting and MLX's type promotion (the promoted type must be
     * float32, float16 or bfloat16); each sum is rounded to that type.
     */
    public static Array add(Array a, Array b) {
        return BinaryOp.apply(BinaryFunction.ADD, a, b, null);
    }

    /** {@link #add(Array, Array)} on the given stream or device. */
    public static Array add(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.apply(BinaryFunction.ADD, a, b, s);
    }

    /** Elementwise {@code a - b}, broadcast and promoted as {@link #add(Array, Array)}. */
    public static Array subtract(Array a, Array b) {
        return BinaryOp.apply(BinaryFunction.SUBTRACT, a, b, null);
    }

    /** {@link #subtract(Array, Array)} on the given stream or device. */
    public static Array subtract(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.apply(BinaryFunction.SUBTRACT, a, b, s);
    }

    /** Elementwise {@code a * b}, broadcast and promoted as {@link #add(Array, Array)}. */
    public static Array multiply(Array a, Array b) {
        return BinaryOp.apply(BinaryFunction.MULTIPLY, a, b, null);
    }

    /** {@link #multiply(Array, Array)} on the given stream or device. */
    public static Array multiply(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.apply(BinaryFunction.MULTIPLY, a, b, s);
    }

    /** Elementwise {@code a / b} (IEEE: division by zero gives an infinity or NaN), as {@link #add(Array, Array)}. */
    public static Array divide(Array a, Array b) {
        return BinaryOp.apply(BinaryFunction.DIVIDE, a, b, null);
    }

    /** {@link #divide(Array, Array)} on the given stream or device. */
    public static Array divide(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.apply(BinaryFunction.DIVIDE, a, b, s);
    }

    /**
     * MLX's {@code take(a, indices, axis)}: the slices of {@code a} along {@code axis} at the given integer
     * {@code indices} (any shape; negative ones count from the end), so the result has shape
     * {@code a.shape[:axis] + indices.shape + a.shape[axis+1:]}. {@code take(table, ids, 0)} gathers rows. An index
     * out of range fails the computation with an {@link EvaluationException} naming it.
     */
    public static Array take(Array a, Array indices, int axis) {
        return TakeOp.take(a, indices, axis, null);
    }

    /** {@link #take(Array, Array, int)} on the given stream or device. */
    public static Array take(Array a, Array indices, int axis, StreamOrDevice s) {
        return TakeOp.take(a, indices, axis, s);
    }

    // ---------------------------------------------------------------- elementwise math

    // Every op here takes float32, float16 or bfloat16 and returns the same type and shape; each element is computed
    // in double precision from the input's value and rounded to the output type.

    /** e^x, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array exp(Array a) {
        return UnaryOp.apply(UnaryFunction.EXP, a, null);
    }

    /** {@link #exp(Array)} on the given stream or device. */
    public static Array exp(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.EXP, a, s);
    }

    /** The natural logarithm, elementwise (NaN below 0, −∞ at 0); {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array log(Array a) {
        return UnaryOp.apply(UnaryFunction.LOG, a, null);
    }

    /** {@link #log(Array)} on the given stream or device. */
    public static Array log(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.LOG, a, s);
    }

    /** The square root, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array sqrt(Array a) {
        return UnaryOp.apply(UnaryFunction.SQRT, a, null);
    }

    /** {@link #sqrt(Array)} on the given stream or device. */
    public static Array sqrt(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.SQRT, a, s);
    }

    /** {@code 1/√x}, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array rsqrt(Array a) {
        return UnaryOp.apply(UnaryFunction.RSQRT, a, null);
    }

    /** {@link #rsqrt(Array)} on the given stream or device. */
    public static Array rsqrt(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.RSQRT, a, s);
    }

    /** The hyperbolic tangent, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array tanh(Array a) {
        return UnaryOp.apply(UnaryFunction.TANH, a, null);
    }

    /** {@link #tanh(Array)} on the given stream or device. */
    public static Array tanh(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.TANH, a, s);
    }

    /** The error function {@code 2/√π ∫₀ˣ e^(−t²) dt}, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array erf(Array a) {
        return UnaryOp.apply(UnaryFunction.ERF, a, null);
    }

    /** {@link #erf(Array)} on the given stream or device. */
    public static Array erf(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.ERF, a, s);
    }

    /** The logistic function {@code 1/(1 + e^(−x))}, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array sigmoid(Array a) {
        return UnaryOp.apply(UnaryFunction.SIGMOID, a, null);
    }

    /** {@link #sigmoid(Array)} on the given stream or device. */
    public static Array sigmoid(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.SIGMOID, a, s);
    }

    /** {@code x²}, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array square(Array a) {
        return UnaryOp.apply(UnaryFunction.SQUARE, a, null);
    }

    /** {@link #square(Array)} on the given stream or device. */
    public static Array square(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.SQUARE, a, s);
    }

    /** {@code −x}, elementwise; {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array negative(Array a) {
        return UnaryOp.apply(UnaryFunction.NEGATIVE, a, null);
    }

    /** {@link #negative(Array)} on the given stream or device. */
    public static Array negative(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.NEGATIVE, a, s);
    }

    /** MLX's {@code nn.silu}: {@code x · sigmoid(x)}, elementwise (one fused op); {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array silu(Array a) {
        return UnaryOp.apply(UnaryFunction.SILU, a, null);
    }

    /** {@link #silu(Array)} on the given stream or device. */
    public static Array silu(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.SILU, a, s);
    }

    /** MLX's {@code nn.gelu}: {@code x · (1 + erf(x/√2)) / 2}, elementwise (one fused op); {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array gelu(Array a) {
        return UnaryOp.apply(UnaryFunction.GELU, a, null);
    }

    /** {@link #gelu(Array)} on the given stream or device. */
    public static Array gelu(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.GELU, a, s);
    }

    /** MLX's {@code nn.gelu_approx}: the tanh approximation {@code x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))}, elementwise (one fused op); {@code a} float32, float16 or bfloat16, the result of its type. */
    public static Array geluApprox(Array a) {
        return UnaryOp.apply(UnaryFunction.GELU_APPROX, a, null);
    }

    /** {@link #geluApprox(Array)} on the given stream or device. */
    public static Array geluApprox(Array a, StreamOrDevice s) {
        return UnaryOp.apply(UnaryFunction.GELU_APPROX, a, s);
    }

    // ---------------------------------------------------------------- reductions

    /** The sum along {@code axis} (negative: from the end), accumulated in double precision and rounded once to {@code a}'s type. {@code keepdims}: keep the reduced axis with size 1. */
    public static Array sum(Array a, int axis, boolean keepdims) {
        return ReduceOp.reduce(Reduction.SUM, a, axis, keepdims, null);
    }

    /** {@link #sum(Array, int, boolean)} on the given stream or device. */
    public static Array sum(Array a, int axis, boolean keepdims, StreamOrDevice s) {
        return ReduceOp.reduce(Reduction.SUM, a, axis, keepdims, s);
    }

    /** The mean along {@code axis}, as {@link #sum(Array, int, boolean)} divided by the axis size. {@code keepdims}: keep the reduced axis with size 1. */
    public static Array mean(Array a, int axis, boolean keepdims) {
        return ReduceOp.reduce(Reduction.MEAN, a, axis, keepdims, null);
    }

    /** {@link #mean(Array, int, boolean)} on the given stream or device. */
    public static Array mean(Array a, int axis, boolean keepdims, StreamOrDevice s) {
        return ReduceOp.reduce(Reduction.MEAN, a, axis, keepdims, s);
    }

    /** The maximum along {@code axis} (NaN if any element is NaN); the axis must not be empty. {@code keepdims}: keep the reduced axis with size 1. */
    public static Array max(Array a, int axis, boolean keepdims) {
        return ReduceOp.reduce(Reduction.MAX, a, axis, keepdims, null);
    }

    /** {@link #max(Array, int, boolean)} on the given stream or device. */
    public static Array max(Array a, int axis, boolean keepdims, StreamOrDevice s) {
        return ReduceOp.reduce(Reduction.MAX, a, axis, keepdims, s);
    }

    /** {@code log Σ exp(a)} along {@code axis}, computed stably as {@code m + log Σ exp(a − m)} with {@code m} the maximum; the axis must not be empty. {@code keepdims}: keep the reduced axis with size 1. */
    public static Array logsumexp(Array a, int axis, boolean keepdims) {
        return ReduceOp.reduce(Reduction.LOGSUMEXP, a, axis, keepdims, null);
    }

    /** {@link #logsumexp(Array, int, boolean)} on the given stream or device. */
    public static Array logsumexp(Array a, int axis, boolean keepdims, StreamOrDevice s) {
        return ReduceOp.reduce(Reduction.LOGSUMEXP, a, axis, keepdims, s);
    }

    /** The index of the maximum along {@code axis} (the first one on ties) as uint32, as MLX; the axis must not be empty. {@code keepdims}: keep the reduced axis with size 1. */
    public static Array argmax(Array a, int axis, boolean keepdims) {
        return ReduceOp.reduce(Reduction.ARGMAX, a, axis, keepdims, null);
    }

    /** {@link #argmax(Array, int, boolean)} on the given stream or device. */
    public static Array argmax(Array a, int axis, boolean keepdims, StreamOrDevice s) {
        return ReduceOp.reduce(Reduction.ARGMAX, a, axis, keepdims, s);
    }

    /**
     * {@code exp(a) / Σ exp(a)} along {@code axis} (negative: from the end), computed stably (the maximum subtracted
     * first) and rounded once to {@code a}'s type.
     */
    public static Array softmax(Array a, int axis) {
        return ReduceOp.softmax(a, axis, null);
    }

    /** {@link #softmax(Array, int)} on the given stream or device. */
    public static Array softmax(Array a, int axis, StreamOrDevice s) {
        return ReduceOp.softmax(a, axis, s);
    }

    // ---------------------------------------------------------------- moving elements

    /**
     * {@code a} with its axes permuted (a copy): output axis {@code i} is input axis {@code axes[i]} (negative: from
     * the end); with no axes, the axes are reversed.
     */
    public static Array transpose(Array a, int... axes) {
        return ShapeOps.transpose(a, axes, null);
    }

    /** {@link #transpose(Array, int...)} on the given stream or device. */
    public static Array transpose(Array a, int[] axes, StreamOrDevice s) {
        return ShapeOps.transpose(a, axes, s);
    }

    /** {@code a} with axes {@code axis1} and {@code axis2} exchanged (a copy). */
    public static Array swapaxes(Array a, int axis1, int axis2) {
        return ShapeOps.swapaxes(a, axis1, axis2, null);
    }

    /** {@link #swapaxes(Array, int, int)} on the given stream or device. */
    public static Array swapaxes(Array a, int axis1, int axis2, StreamOrDevice s) {
        return ShapeOps.swapaxes(a, axis1, axis2, s);
    }

    /**
     * The arrays joined along {@code axis}: all have the same number of dimensions and the same sizes on the other
     * axes; the result has their promoted type.
     */
    public static Array concatenate(List<Array> arrays, int axis) {
        return ShapeOps.concatenate(arrays, axis, null);
    }

    /** {@link #concatenate(List, int)} on the given stream or device. */
    public static Array concatenate(List<Array> arrays, int axis, StreamOrDevice s) {
        return ShapeOps.concatenate(arrays, axis, s);
    }

    /**
     * MLX's {@code slice(a, start, stop)}: the elements with {@code start[d] <= index < stop[d]} on every axis
     * {@code d} (one entry per axis; negative values count from the end; both clamped to the axis).
     */
    public static Array slice(Array a, int[] start, int[] stop) {
        return ShapeOps.slice(a, start, stop, null);
    }

    /** {@link #slice(Array, int[], int[])} on the given stream or device. */
    public static Array slice(Array a, int[] start, int[] stop, StreamOrDevice s) {
        return ShapeOps.slice(a, start, stop, s);
    }

    // ---------------------------------------------------------------- fast ops (mlx.core.fast)

    /**
     * MLX's {@code fast.rms_norm(x, weight, eps)} over the last axis: {@code x / √(mean(x²) + eps) · weight}, the
     * normalized value rounded to the output type before the weight multiplies it (as MLX).
     *
     * @param weight a vector of the last axis' size, or {@code null} for none
     */
    public static Array rmsNorm(Array x, Array weight, float eps) {
        return NormOps.rmsNorm(x, weight, eps, null);
    }

    /** {@link #rmsNorm(Array, Array, float)} on the given stream or device. */
    public static Array rmsNorm(Array x, Array weight, float eps, StreamOrDevice s) {
        return NormOps.rmsNorm(x, weight, eps, s);
    }

    /**
     * MLX's {@code fast.layer_norm(x, weight, bias, eps)} over the last axis:
     * {@code (x − mean) / √(var + eps) · weight + bias}.
     *
     * @param weight a vector of the last axis' size, or {@code null} for none
     * @param bias   a vector of the last axis' size, or {@code null} for none
     */
    public static Array layerNorm(Array x, Array weight, Array bias, float eps) {
        return NormOps.layerNorm(x, weight, bias, eps, null);
    }

    /** {@link #layerNorm(Array, Array, Array, float)} on the given stream or device. */
    public static Array layerNorm(Array x, Array weight, Array bias, float eps, StreamOrDevice s) {
        return NormOps.layerNorm(x, weight, bias, eps, s);
    }

    /**
     * MLX's {@code fast.scaled_dot_product_attention(q, k, v, scale, mask)}: {@code softmax(scale · q · kᵀ + mask) · v}
     * for every batch and head, in one op that never materializes the scores. {@code q [batch, heads, queries, dims]},
     * {@code k} and {@code v [batch, heads, keys, dims]}; the result is shaped as q.
     *
     * @param mask an additive mask broadcastable to {@code [batch, heads, queries, keys]} (−∞ hides a key), or
     *             {@code null} for none
     */
    public static Array scaledDotProductAttention(Array q, Array k, Array v, float scale, Array mask) {
        return AttentionOp.scaledDotProductAttention(q, k, v, scale, mask, null);
    }

    /** {@link #scaledDotProductAttention(Array, Array, Array, float, Array)} on the given stream or device. */
    public static Array scaledDotProductAttention(
            Array q, Array k, Array v, float scale, Array mask, StreamOrDevice s) {
        return AttentionOp.scaledDotProductAttention(q, k, v, scale, mask, s);
    }

    /**
     * MLX's {@code fast.rope(x, dims, traditional, base, scale, offset)}: rotary position embedding of {@code x}
     * {@code [..., sequence, features]} (at least 3-D). Sequence index {@code l} has position
     * {@code scale · (offset + l)}; feature pair {@code j < dims/2} turns by {@code position · base^(−2j/dims)}. The
     * pairs are {@code (2j, 2j+1)} when {@code traditional}, else {@code (j, j + dims/2)} (the half-split rotation of
     * Hugging Face and mlx-lm Llama checkpoints). Features from {@code dims} on are unchanged.
     */
    public static Array rope(Array x, int dims, boolean traditional, float base, float scale, int offset) {
        return RopeOp.rope(x, dims, traditional, base, scale, offset, null);
    }

    /** {@link #rope(Array, int, boolean, float, float, int)} on the given stream or device. */
    public static Array rope(
            Array x, int dims, boolean traditional, float base, float scale, int offset, StreamOrDevice s) {
        return RopeOp.rope(x, dims, traditional, base, scale, offset, s);
    }

    // ---------------------------------------------------------------- quantization

    /** Quantizes {@code w} with MLX's defaults: affine, group size 64, 4 bits. */
    public static QuantizedParts quantize(Array w) {
        return QuantizeOp.quantize(w, QuantizationSettings.DEFAULT, null, null);
    }

    /** Quantizes {@code w} in affine mode. */
    public static QuantizedParts quantize(Array w, int groupSize, int bits) {
        return QuantizeOp.quantize(w, QuantizationMode.AFFINE, groupSize, bits, null, null);
    }

    /**
     * MLX's {@code quantize(w, group_size, bits, mode, stream)}: bit-exact with MLX's CPU backend.
     *
     * @param groupSize affine: 32, 64 or 128; the microscaling modes: their fixed size ({@code null}: the mode's default)
     * @param bits      affine: 2, 3, 4, 5, 6 or 8; the microscaling modes: their fixed bits ({@code null}: the mode's default)
     * @param mode      {@code "affine"}, {@code "mxfp4"}, {@code "mxfp8"} or {@code "nvfp4"}
     */
    public static QuantizedParts quantize(Array w, Integer groupSize, Integer bits, String mode, StreamOrDevice s) {
        return QuantizeOp.quantize(w, mode(QuantizeOp.NAME, mode), groupSize, bits, null, s);
    }

    /** Quantizes {@code w} in {@code mode} ({@code affine}, {@code mxfp4}, {@code mxfp8}, {@code nvfp4}) with its defaults. */
    public static QuantizedParts quantize(Array w, String mode) {
        return QuantizeOp.quantize(w, mode(QuantizeOp.NAME, mode), null, null, null, null);
    }

    /**
     * MLX's {@code quantize(w, group_size, bits, mode, global_scale, stream)}; {@code globalScale} (nvfp4 only,
     * a float32 scalar) may be {@code null}. The microscaling modes return uint8 scales and no biases.
     */
    public static QuantizedParts quantize(
            Array w, Integer groupSize, Integer bits, String mode, Array globalScale, StreamOrDevice s) {
        return QuantizeOp.quantize(w, mode(QuantizeOp.NAME, mode), groupSize, bits, globalScale, s);
    }

    /** Dequantizes affine codes with the given group size and bits; the result has the scales' type. */
    public static Array dequantize(Array w, Array scales, Array biases, int groupSize, int bits) {
        return DequantizeOp.dequantize(w, scales, biases, QuantizationMode.AFFINE, groupSize, bits, null, null, null);
    }

    /**
     * MLX's {@code dequantize(w, scales, biases, group_size, bits, mode, dtype, stream)}.
     *
     * @param dtype output type, {@code null} for the scales' type
     */
    public static Array dequantize(
            Array w,
            Array scales,
            Array biases,
            Integer groupSize,
            Integer bits,
            String mode,
            DType dtype,
            StreamOrDevice s) {
        return DequantizeOp.dequantize(
                w, scales, biases, mode(DequantizeOp.NAME, mode), groupSize, bits, null, dtype, s);
    }

    /** Dequantizes microscaled codes ({@code mxfp4}, {@code mxfp8}, {@code nvfp4}) with the mode's defaults; bfloat16 out. */
    public static Array dequantize(Array w, Array scales, String mode) {
        return DequantizeOp.dequantize(w, scales, null, mode(DequantizeOp.NAME, mode), null, null, null, null, null);
    }

    /**
     * MLX's {@code dequantize(w, scales, biases, group_size, bits, mode, global_scale, dtype, stream)}: the output
     * type defaults to the scales' type (affine), bfloat16 (microscaling modes) or float32 (nvfp4 with a global
     * scale).
     */
    public static Array dequantize(
            Array w,
            Array scales,
            Array biases,
            Integer groupSize,
            Integer bits,
            String mode,
            Array globalScale,
            DType dtype,
            StreamOrDevice s) {
        return DequantizeOp.dequantize(
                w, scales, biases, mode(DequantizeOp.NAME, mode), groupSize, bits, globalScale, dtype, s);
    }

    /** Affine {@code quantized_matmul}; {@code transpose = true} computes {@code x @ Ŵᵀ} (the linear-layer case). */
    public static Array quantizedMatmul(
            Array x, Array w, Array scales, Array biases, boolean transpose, int groupSize, int bits) {
        return QuantizedMatmulOp.quantizedMatmul(
                x, w, scales, biases, transpose, QuantizationMode.AFFINE, groupSize, bits, null, null);
    }

    /** MLX's {@code quantized_matmul(x, w, scales, biases, transpose, group_size, bits, mode, stream)}. */
    public static Array quantizedMatmul(
            Array x,
            Array w,
            Array scales,
            Array biases,
            boolean transpose,
            Integer groupSize,
            Integer bits,
            String mode,
            StreamOrDevice s) {
        return QuantizedMatmulOp.quantizedMatmul(
                x, w, scales, biases, transpose, mode(QuantizedMatmulOp.NAME, mode), groupSize, bits, null, s);
    }

    // ---------------------------------------------------------------- quantization with QuantizationSettings

    /**
     * Quantizes {@code w} with {@code settings} (bit-exact with MLX's CPU backend): affine gives packed codes, scales
     * and biases of {@code w}'s type; the microscaling modes give packed codes and uint8 scales (biases {@code null}).
     */
    public static QuantizedParts quantize(Array w, QuantizationSettings settings) {
        return QuantizeOp.quantize(w, settings, null, null);
    }

    /**
     * {@link #quantize(Array, QuantizationSettings)} on the given stream or device; {@code globalScale} (nvfp4 only, a
     * float32 scalar) may be {@code null}.
     */
    public static QuantizedParts quantize(Array w, QuantizationSettings settings, Array globalScale, StreamOrDevice s) {
        return QuantizeOp.quantize(w, settings, globalScale, s);
    }

    /**
     * Dequantizes {@code parts} quantized with {@code settings}; the result has MLX's default type (the scales' type
     * for affine, bfloat16 for the microscaling modes).
     */
    public static Array dequantize(QuantizedParts parts, QuantizationSettings settings) {
        return DequantizeOp.dequantize(parts.packed(), parts.scales(), parts.biases(), settings, null, null, null);
    }

    /**
     * {@link #dequantize(QuantizedParts, QuantizationSettings)} with nvfp4's global scale (or {@code null}), an output
     * type ({@code null}: MLX's default) and a stream or device.
     */
    public static Array dequantize(
            QuantizedParts parts, QuantizationSettings settings, Array globalScale, DType dtype, StreamOrDevice s) {
        return DequantizeOp.dequantize(parts.packed(), parts.scales(), parts.biases(), settings, globalScale, dtype, s);
    }

    /**
     * {@code quantized_matmul} with {@code settings}: {@code x @ Ŵᵀ} with {@code transpose} (W stored {@code [N, K]},
     * the linear-layer case), else {@code x @ Ŵ}.
     */
    public static Array quantizedMatmul(
            Array x, QuantizedParts w, boolean transpose, QuantizationSettings settings, StreamOrDevice s) {
        return QuantizedMatmulOp.quantizedMatmul(x, w.packed(), w.scales(), w.biases(), transpose, settings, null, s);
    }
}
