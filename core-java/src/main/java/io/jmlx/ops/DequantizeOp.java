package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.QuantizedBuffers;
import io.jmlx.backend.QuantizedLayout;
import io.jmlx.quant.QuantChecks;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.stream.StreamOrDevice;
import java.util.Arrays;

/**
 * MLX's {@code dequantize}. Affine: {@code w = scale · code + bias}, computed in the scales' type (each op
 * rounded to it, as MLX's CPU backend does), then converted to {@code dtype} when one is given. Microscaling
 * modes: {@code element · scale} computed in {@code dtype} (default bfloat16), or in float32 when an nvfp4 global
 * scale is given.
 */
public final class DequantizeOp {
    /** The op's name in messages. */
    public static final String NAME = "dequantize";

    private DequantizeOp() {}

    /**
     * Dequantizes packed codes {@code w} ({@code [..., K*bits/32]} uint32) with {@code scales} (and
     * {@code biases} for affine; {@code null} otherwise), both {@code [..., K/groupSize]}.
     *
     * @param dtype       the output type; {@code null} for MLX's default: the scales' type for affine, bfloat16 for
     *                    the microscaling modes, float32 for nvfp4 with a global scale (MLX returns float32 there
     *                    whatever is asked; jmlx computes in float32 and honours an explicit {@code dtype})
     * @param globalScale nvfp4 only: the float32 scalar given to {@code quantize}, or {@code null}
     */
    public static Array dequantize(
            Array w,
            Array scales,
            Array biases,
            QuantizationMode m,
            Integer groupSize,
            Integer bits,
            Array globalScale,
            DType dtype,
            StreamOrDevice s) {
        if (dtype != null && !dtype.isFloating()) {
            throw new IllegalArgumentException(
                    "[dequantize] Only real floating types are supported but output dtype == " + dtype + ".");
        }
        DType affineType = QuantChecks.checkScales(NAME, m, scales, biases);
        int g = m.groupSizeOr(groupSize);
        int b = m.bitsOr(bits);
        if (b <= 0 || b > 8) {
            throw new IllegalArgumentException("[dequantize] Invalid value for bits: " + b + " (expected 1 to 8).");
        }
        if (g <= 0) {
            throw new IllegalArgumentException("[dequantize] Invalid value for group_size: " + g);
        }
        if (w.dtype() != DType.UINT32) {
            throw new IllegalArgumentException(
                    "[dequantize] The matrix should be given as a uint32 but w has type " + w.dtype() + ".");
        }
        int[] shape = w.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("[dequantize] The matrix to be dequantized must have at least 2 "
                    + "dimension but it has only " + shape.length + ".");
        }
        QuantChecks.checkGlobalScale(NAME, m, globalScale);
        if (!m.isAffine()) {
            QuantizationSettings.requireSupported(NAME, g, b, m);
        }
        String parts = m.isAffine() ? "scales and biases" : "scales";
        int[] sShape = scales.shape();
        if ((biases != null && !Arrays.equals(sShape, biases.shape()))
                || sShape.length != shape.length
                || !Arrays.equals(Arrays.copyOf(sShape, sShape.length - 1), Arrays.copyOf(shape, shape.length - 1))) {
            throw new IllegalArgumentException("[dequantize] Shape of " + parts + " does not match the matrix: "
                    + "w has shape " + Shape.format(shape) + " and scales " + Shape.format(sShape)
                    + (biases == null ? "" : ", biases " + Shape.format(biases.shape()))
                    + "; all but the last dimension must be equal.");
        }
        long words = shape[shape.length - 1];
        long k = QuantChecks.codesPerRow(words, b);
        if (k < 0 || k != (long) sShape[sShape.length - 1] * g) {
            throw new IllegalArgumentException("[dequantize] Shape of " + parts + " does not match the matrix given "
                    + "the quantization parameters. Provided matrix of shape " + Shape.format(shape)
                    + " and " + (m.isAffine() ? "scales/biases" : "scales") + " of shape " + Shape.format(sShape)
                    + " with group_size=" + g + " and bits=" + b + ".");
        }
        int cols = Math.toIntExact(k);
        long rows = w.size() / words;
        int[] outShape = Shape.withLast(shape, cols);
        QuantizationSettings settings = new QuantizationSettings(g, b, m);
        if (!m.isAffine()) {
            DType out = dtype != null ? dtype : globalScale != null ? DType.FLOAT32 : DType.BFLOAT16;
            QuantizedLayout layout = new QuantizedLayout(rows, cols, out, settings, null);
            return Scheduler.submit(
                    NAME,
                    s,
                    GlobalScales.withGlobalScale(globalScale, w, scales),
                    outShape,
                    out,
                    (kernels, in, o) -> kernels.quantization()
                            .dequantize(
                                    QuantizeOp.withGlobalScale(layout, GlobalScales.value(in, 2)),
                                    new QuantizedBuffers(in[0], in[1], null),
                                    o[0]));
        }
        Array sc = DenseOps.astype(scales, affineType, s);
        Array bi = DenseOps.astype(biases, affineType, s);
        QuantizedLayout layout = new QuantizedLayout(rows, cols, affineType, settings, null);
        Array out = Scheduler.submit(
                NAME,
                s,
                new Array[] {w, sc, bi},
                outShape,
                affineType,
                (kernels, in, o) ->
                        kernels.quantization().dequantize(layout, new QuantizedBuffers(in[0], in[1], in[2]), o[0]));
        return dtype == null ? out : DenseOps.astype(out, dtype, s);
    }

    /** {@link #dequantize(Array, Array, Array, QuantizationMode, Integer, Integer, Array, DType, StreamOrDevice)}. */
    public static Array dequantize(
            Array w,
            Array scales,
            Array biases,
            QuantizationSettings settings,
            Array globalScale,
            DType dtype,
            StreamOrDevice s) {
        return dequantize(
                w, scales, biases, settings.mode(), settings.groupSize(), settings.bits(), globalScale, dtype, s);
    }
}
