package io.jmlx;

import io.jmlx.quant.DequantizeOp;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.quant.QuantizedMatmulOp;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.quant.QuantizeOp;
import io.jmlx.stream.StreamOrDevice;

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
    private static final String AFFINE = "affine";

    private Jmlx() {
    }

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

    private static Array[] parts(Tensor t) {
        return switch (t) {
            case QuantizedArray q -> java.util.stream.Stream.of(q.packed(), q.scales(), q.biases(), q.globalScale())
                    .filter(java.util.Objects::nonNull).toArray(Array[]::new);
            case Array a -> new Array[] {a};
            default -> throw unsupported(t);
        };
    }

    private static IllegalArgumentException unsupported(Tensor t) {
        return new IllegalArgumentException("unsupported Tensor implementation " + t.getClass().getName()
                + "; jmlx ops take io.jmlx.Array and io.jmlx.quant.QuantizedArray");
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
            throw new IllegalArgumentException("[matmul] a quantized left operand is not supported: put the quantized "
                    + "matrix on the right (matmul(x, w), or matmul(x, w.transpose()) for x @ wᵀ), or dequantize() it.");
        }
        if (!(a instanceof Array x)) {
            throw unsupported(a);
        }
        return switch (b) {
            case QuantizedArray q -> q.rightMatmul(x, s);
            case Array w -> DenseOps.matmul(x, w, s);
            default -> throw unsupported(b);
        };
    }

    /**
     * Elementwise {@code a + b} with NumPy broadcasting and MLX's type promotion (the promoted type must be
     * float32, float16 or bfloat16); each sum is rounded to that type.
     */
    public static Array add(Array a, Array b) {
        return BinaryOp.ADD.apply(a, b, null);
    }

    /** {@link #add(Array, Array)} on the given stream or device. */
    public static Array add(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.ADD.apply(a, b, s);
    }

    /** Elementwise {@code a - b}, broadcast and promoted as {@link #add(Array, Array)}. */
    public static Array subtract(Array a, Array b) {
        return BinaryOp.SUBTRACT.apply(a, b, null);
    }

    /** {@link #subtract(Array, Array)} on the given stream or device. */
    public static Array subtract(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.SUBTRACT.apply(a, b, s);
    }

    /** Elementwise {@code a * b}, broadcast and promoted as {@link #add(Array, Array)}. */
    public static Array multiply(Array a, Array b) {
        return BinaryOp.MULTIPLY.apply(a, b, null);
    }

    /** {@link #multiply(Array, Array)} on the given stream or device. */
    public static Array multiply(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.MULTIPLY.apply(a, b, s);
    }

    /** Elementwise {@code a / b} (IEEE: division by zero gives an infinity or NaN), as {@link #add(Array, Array)}. */
    public static Array divide(Array a, Array b) {
        return BinaryOp.DIVIDE.apply(a, b, null);
    }

    /** {@link #divide(Array, Array)} on the given stream or device. */
    public static Array divide(Array a, Array b, StreamOrDevice s) {
        return BinaryOp.DIVIDE.apply(a, b, s);
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

    // ---------------------------------------------------------------- quantization

    /** Quantizes {@code w} with MLX's defaults: affine, group size 64, 4 bits. */
    public static QuantizedParts quantize(Array w) {
        return QuantizeOp.quantize(w, null, null, AFFINE, null, null);
    }

    /** Quantizes {@code w} in affine mode. */
    public static QuantizedParts quantize(Array w, int groupSize, int bits) {
        return QuantizeOp.quantize(w, groupSize, bits, AFFINE, null, null);
    }

    /**
     * MLX's {@code quantize(w, group_size, bits, mode, stream)}: bit-exact with MLX's CPU backend.
     *
     * @param groupSize affine: 32, 64 or 128; the microscaling modes: their fixed size ({@code null}: the mode's default)
     * @param bits      affine: 2, 3, 4, 5, 6 or 8; the microscaling modes: their fixed bits ({@code null}: the mode's default)
     * @param mode      {@code "affine"}, {@code "mxfp4"}, {@code "mxfp8"} or {@code "nvfp4"}
     */
    public static QuantizedParts quantize(Array w, Integer groupSize, Integer bits, String mode, StreamOrDevice s) {
        return QuantizeOp.quantize(w, groupSize, bits, mode, null, s);
    }

    /** Quantizes {@code w} in {@code mode} ({@code affine}, {@code mxfp4}, {@code mxfp8}, {@code nvfp4}) with its defaults. */
    public static QuantizedParts quantize(Array w, String mode) {
        return QuantizeOp.quantize(w, null, null, mode, null, null);
    }

    /**
     * MLX's {@code quantize(w, group_size, bits, mode, global_scale, stream)}; {@code globalScale} (nvfp4 only,
     * a float32 scalar) may be {@code null}. The microscaling modes return uint8 scales and no biases.
     */
    public static QuantizedParts quantize(Array w, Integer groupSize, Integer bits, String mode, Array globalScale,
                                          StreamOrDevice s) {
        return QuantizeOp.quantize(w, groupSize, bits, mode, globalScale, s);
    }

    /** Dequantizes affine codes with the given group size and bits; the result has the scales' type. */
    public static Array dequantize(Array w, Array scales, Array biases, int groupSize, int bits) {
        return DequantizeOp.dequantize(w, scales, biases, groupSize, bits, AFFINE, null, null, null);
    }

    /**
     * MLX's {@code dequantize(w, scales, biases, group_size, bits, mode, dtype, stream)}.
     *
     * @param dtype output type, {@code null} for the scales' type
     */
    public static Array dequantize(Array w, Array scales, Array biases, Integer groupSize, Integer bits, String mode,
                                   DType dtype, StreamOrDevice s) {
        return DequantizeOp.dequantize(w, scales, biases, groupSize, bits, mode, null, dtype, s);
    }

    /** Dequantizes microscaled codes ({@code mxfp4}, {@code mxfp8}, {@code nvfp4}) with the mode's defaults; bfloat16 out. */
    public static Array dequantize(Array w, Array scales, String mode) {
        return DequantizeOp.dequantize(w, scales, null, null, null, mode, null, null, null);
    }

    /**
     * MLX's {@code dequantize(w, scales, biases, group_size, bits, mode, global_scale, dtype, stream)}: the output
     * type defaults to the scales' type (affine), bfloat16 (microscaling modes) or float32 (nvfp4 with a global
     * scale).
     */
    public static Array dequantize(Array w, Array scales, Array biases, Integer groupSize, Integer bits, String mode,
                                   Array globalScale, DType dtype, StreamOrDevice s) {
        return DequantizeOp.dequantize(w, scales, biases, groupSize, bits, mode, globalScale, dtype, s);
    }

    /** Affine {@code quantized_matmul}; {@code transpose = true} computes {@code x @ Ŵᵀ} (the linear-layer case). */
    public static Array quantizedMatmul(Array x, Array w, Array scales, Array biases, boolean transpose, int groupSize,
                                        int bits) {
        return QuantizedMatmulOp.quantizedMatmul(x, w, scales, biases, transpose, groupSize, bits, AFFINE, null);
    }

    /** MLX's {@code quantized_matmul(x, w, scales, biases, transpose, group_size, bits, mode, stream)}. */
    public static Array quantizedMatmul(Array x, Array w, Array scales, Array biases, boolean transpose,
                                        Integer groupSize, Integer bits, String mode, StreamOrDevice s) {
        return QuantizedMatmulOp.quantizedMatmul(x, w, scales, biases, transpose, groupSize, bits, mode, s);
    }
}
