package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.kernels.KernelProvider;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's {@code quantize}: checks the arguments in MLX's order and with MLX's messages, then quantizes on the
 * op's stream. Rows are the last axis; leading axes are kept ({@code [2,8,64]} → packed {@code [2,8,8]} at 4 bits).
 */
public final class QuantizeOp {
    static final String NAME = "quantize";

    private QuantizeOp() {}

    /**
     * Quantizes {@code w} group-wise along its last axis: affine gives packed codes, scales and biases (of w's
     * type); the microscaling modes give packed codes and uint8 scales (biases {@code null}).
     *
     * @param groupSize   {@code null} for the mode's default
     * @param bits        {@code null} for the mode's default
     * @param mode        {@code "affine"}, {@code "mxfp4"}, {@code "mxfp8"} or {@code "nvfp4"}
     * @param globalScale nvfp4 only: an optional float32 scalar (e.g. {@code max|w|}); {@code null} for none
     */
    public static QuantizedParts quantize(
            Array w, Integer groupSize, Integer bits, String mode, Array globalScale, StreamOrDevice s) {
        QuantizationMode m = QuantizationMode.parse(NAME, mode);
        int g = m.groupSizeOr(groupSize);
        int b = m.bitsOr(bits);
        DType dtype = w.dtype();
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(
                    "[quantize] Only real floating types can be quantized but w has type " + dtype + ".");
        }
        int[] shape = w.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("[quantize] The matrix to be quantized must have at least 2 dimension "
                    + "but it has only " + shape.length + ".");
        }
        int k = shape[shape.length - 1];
        if (g <= 0 || k % g != 0) {
            throw new IllegalArgumentException("[quantize] The last dimension of the matrix needs to be divisible by "
                    + "the quantization group size " + g + ". However the provided  matrix has shape "
                    + Shape.format(shape));
        }
        QuantChecks.checkGlobalScale(NAME, m, globalScale);
        QuantChecks.checkSettings(NAME, m, g, b);
        if (dtype == DType.FLOAT64) {
            throw new IllegalArgumentException(
                    "[quantize] w has type float64, which MLX's CPU backend cannot quantize; "
                            + "convert it to float32 first.");
        }
        long rows = w.size() / k;
        int[] packedShape = Shape.withLast(shape, k * b / 32);
        int[] scaleShape = Shape.withLast(shape, k / g);
        if (m.isAffine()) {
            Array[] out = Scheduler.submit(
                    NAME,
                    s,
                    new Array[] {w},
                    new Scheduler.Output[] {
                        new Scheduler.Output(packedShape, DType.UINT32),
                        new Scheduler.Output(scaleShape, dtype),
                        new Scheduler.Output(scaleShape, dtype)
                    },
                    (in, o) -> KernelProvider.get().affineQuantize(in[0], dtype, rows, k, g, b, o[0], o[1], o[2]));
            return new QuantizedParts(out[0], out[1], out[2]);
        }
        Array[] out = Scheduler.submit(
                NAME,
                s,
                QuantChecks.withGlobalScale(globalScale, w),
                new Scheduler.Output[] {
                    new Scheduler.Output(packedShape, DType.UINT32), new Scheduler.Output(scaleShape, DType.UINT8)
                },
                (in, o) -> KernelProvider.get()
                        .fpQuantize(
                                in[0], dtype, rows, k, m.fpFormat(), QuantChecks.globalScaleValue(in, 1), o[0], o[1]));
        return new QuantizedParts(out[0], out[1], null);
    }
}
