package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.QuantizedBuffers;
import io.jmlx.backend.QuantizedLayout;
import io.jmlx.quant.QuantChecks;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's {@code quantize}: checks the arguments in MLX's order and with MLX's messages, then quantizes on the
 * op's stream. Rows are the last axis; leading axes are kept ({@code [2,8,64]} → packed {@code [2,8,8]} at 4 bits).
 */
public final class QuantizeOp {
    /** The op's name in messages. */
    public static final String NAME = "quantize";

    private QuantizeOp() {}

    /**
     * Quantizes {@code w} group-wise along its last axis: affine gives packed codes, scales and biases (of w's
     * type); the microscaling modes give packed codes and uint8 scales (biases {@code null}).
     *
     * @param groupSize   {@code null} for the mode's default
     * @param bits        {@code null} for the mode's default
     * @param globalScale nvfp4 only: an optional float32 scalar (e.g. {@code max|w|}); {@code null} for none
     */
    public static QuantizedParts quantize(
            Array w, QuantizationMode m, Integer groupSize, Integer bits, Array globalScale, StreamOrDevice s) {
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
        QuantizationSettings.requireSupported(NAME, g, b, m);
        if (dtype == DType.FLOAT64) {
            throw new IllegalArgumentException(
                    "[quantize] w has type float64, which MLX's CPU backend cannot quantize; "
                            + "convert it to float32 first.");
        }
        QuantizedLayout layout = new QuantizedLayout(w.size() / k, k, dtype, new QuantizationSettings(g, b, m), null);
        int[] packedShape = Shape.withLast(shape, k * b / 32);
        int[] scaleShape = Shape.withLast(shape, k / g);
        DType scaleType = m.isAffine() ? dtype : DType.UINT8;
        Scheduler.Output[] outputs = {
            new Scheduler.Output(packedShape, DType.UINT32),
            new Scheduler.Output(scaleShape, scaleType),
            new Scheduler.Output(scaleShape, dtype)
        };
        Array[] out = Scheduler.submit(
                NAME,
                s,
                GlobalScales.withGlobalScale(globalScale, w),
                m.isAffine() ? outputs : java.util.Arrays.copyOf(outputs, 2),
                (kernels, in, o) -> kernels.quantization()
                        .quantize(
                                withGlobalScale(layout, GlobalScales.value(in, 1)),
                                in[0],
                                new QuantizedBuffers(o[0], o[1], o.length > 2 ? o[2] : null)));
        return new QuantizedParts(out[0], out[1], m.isAffine() ? out[2] : null);
    }

    /** {@link #quantize(Array, QuantizationMode, Integer, Integer, Array, StreamOrDevice)} with resolved settings. */
    public static QuantizedParts quantize(Array w, QuantizationSettings settings, Array globalScale, StreamOrDevice s) {
        return quantize(w, settings.mode(), settings.groupSize(), settings.bits(), globalScale, s);
    }

    /** {@code layout} with nvfp4's global scale, read from its input when the op runs. */
    static QuantizedLayout withGlobalScale(QuantizedLayout layout, Float globalScale) {
        return globalScale == null
                ? layout
                : new QuantizedLayout(layout.rows(), layout.cols(), layout.dtype(), layout.settings(), globalScale);
    }
}
