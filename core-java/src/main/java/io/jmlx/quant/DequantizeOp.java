package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.kernels.KernelProvider;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;

import java.util.Arrays;

/**
 * MLX's {@code dequantize}: {@code w = scale · code + bias}, computed in the scales' type (each op rounded to it,
 * as MLX's CPU backend does), then converted to {@code dtype} when one is given.
 */
public final class DequantizeOp {
    static final String NAME = "dequantize";

    private DequantizeOp() {
    }

    /**
     * Dequantizes packed codes {@code w} ({@code [..., K*bits/32]} uint32) with {@code scales} and {@code biases}
     * ({@code [..., K/groupSize]}).
     *
     * @param dtype the output type; {@code null} for the scales' type
     */
    public static Array dequantize(Array w, Array scales, Array biases, Integer groupSize, Integer bits, String mode,
                                   DType dtype, StreamOrDevice s) {
        QuantizationMode m = QuantizationMode.parse(NAME, mode);
        if (dtype != null && !dtype.isFloating()) {
            throw new IllegalArgumentException("[dequantize] Only real floating types are supported but output dtype == "
                    + dtype + ".");
        }
        DType compute = checkScaleTypes(NAME, scales, biases);
        int g = m.groupSizeOr(groupSize);
        int b = m.bitsOr(bits);
        if (b <= 0 || b > 8) {
            throw new IllegalArgumentException("[dequantize] Invalid value for bits: " + b + " (expected 1 to 8).");
        }
        if (g <= 0) {
            throw new IllegalArgumentException("[dequantize] Invalid value for group_size: " + g);
        }
        if (w.dtype() != DType.UINT32) {
            throw new IllegalArgumentException("[dequantize] The matrix should be given as a uint32 but w has type "
                    + w.dtype() + ".");
        }
        int[] shape = w.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("[dequantize] The matrix to be dequantized must have at least 2 "
                    + "dimension but it has only " + shape.length + ".");
        }
        int[] sShape = scales.shape();
        if (!Arrays.equals(sShape, biases.shape()) || sShape.length != shape.length
                || !Arrays.equals(Arrays.copyOf(sShape, sShape.length - 1), Arrays.copyOf(shape, shape.length - 1))) {
            throw new IllegalArgumentException("[dequantize] Shape of scales and biases does not match the matrix: "
                    + "w has shape " + Shape.format(shape) + ", scales " + Shape.format(sShape) + " and biases "
                    + Shape.format(biases.shape()) + "; all but the last dimension must be equal.");
        }
        long words = shape[shape.length - 1];
        long k = AffineChecks.codesPerRow(words, b);
        if (k < 0 || k != (long) sShape[sShape.length - 1] * g) {
            throw new IllegalArgumentException("[dequantize] Shape of scales and biases does not match the matrix given "
                    + "the quantization parameters. Provided matrix of shape " + Shape.format(shape)
                    + " and scales/biases of shape " + Shape.format(sShape) + " with group_size=" + g + " and bits="
                    + b + ".");
        }
        int cols = Math.toIntExact(k);
        long rows = w.size() / words;
        Array sc = scales.dtype() == compute ? scales : Jmlx.astype(scales, compute, s);
        Array bi = biases.dtype() == compute ? biases : Jmlx.astype(biases, compute, s);
        Array out = Scheduler.submit(NAME, s, new Array[] {w, sc, bi}, Shape.withLast(shape, cols), compute,
                (in, o) -> KernelProvider.get().affineDequantize(in[0], in[1], in[2], compute, rows, cols, g, b, o[0]));
        return dtype == null || dtype == compute ? out : Jmlx.astype(out, dtype, s);
    }

    /**
     * Checks that affine scales and biases are given and floating, and returns the type they are computed in
     * (MLX's promotion of the two).
     */
    static DType checkScaleTypes(String op, Array scales, Array biases) {
        if (scales == null) {
            throw new IllegalArgumentException("[" + op + "] scales must be provided.");
        }
        if (biases == null) {
            throw new IllegalArgumentException("[" + op + "] Biases must be provided for affine quantization.");
        }
        DType t = DType.promote(scales.dtype(), biases.dtype());
        if (!t.isFloating()) {
            throw new IllegalArgumentException("[" + op + "] Only real floating types are supported but scales.dtype() == "
                    + scales.dtype() + " and biases.dtype() == " + biases.dtype() + ".");
        }
        if (t == DType.FLOAT64) {
            throw new IllegalArgumentException("[" + op + "] scales and biases of type float64 are not supported; "
                    + "use float32, float16 or bfloat16.");
        }
        return t;
    }
}
