package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;

/**
 * A linear layer with a quantized weight (MLX's {@code nn.QuantizedLinear}):
 * {@code y = quantized_matmul(x, weight, scales, biases, transpose=true) + bias}, groups running along the input
 * axis. Parameters: {@code weight}, {@code scales}, {@code biases} (affine only), {@code bias} (if the layer has one).
 */
public final class QuantizedLinear extends QuantizedLayer {
    private final Parameter bias;

    /** A layer with the quantized weight {@code [output_dims, input_dims]} and bias {@code [output_dims]} ({@code null}: none). */
    public QuantizedLinear(QuantizedArray weight, Array bias) {
        super("QuantizedLinear", weight);
        LayerChecks.checkBias("QuantizedLinear", bias, weight.shape()[0]);
        this.bias = bias == null ? null : addParameter("bias", bias);
    }

    /** {@code linear} quantized with MLX's defaults (affine, group size 64, 4 bits). */
    public static QuantizedLinear fromLinear(Linear linear) {
        return fromLinear(linear, null, null, null);
    }

    /**
     * {@code linear}'s weight quantized now (its bias copied); {@code null} group size or bits take the mode's
     * defaults, a {@code null} mode is {@code affine}. The input dimension must be a multiple of the group size
     * (MLX's {@code [quantize] The last dimension ...} message otherwise).
     */
    public static QuantizedLinear fromLinear(Linear linear, Integer groupSize, Integer bits, String mode) {
        return fromLinear(linear, QuantizationSettings.resolve(groupSize, bits, mode));
    }

    /** {@code linear}'s weight quantized now with {@code settings} (its bias copied). */
    public static QuantizedLinear fromLinear(Linear linear, QuantizationSettings settings) {
        return new QuantizedLinear(QuantizedArray.fromDense(linear.weight(), settings), linear.bias());
    }

    /** The bias, or {@code null} when the layer has none. */
    public Array bias() {
        return bias == null ? null : bias.get();
    }

    /** {@code x · Ŵᵀ + b} for {@code x} of shape {@code [..., input_dims]}, on the packed weight. */
    @Override
    public Array forward(Array x) {
        Array y = matmulTransposed(x);
        return bias == null ? y : Jmlx.add(y, bias.get());
    }

    /** A {@link Linear} with the dequantized weight and the same bias. */
    @Override
    public Linear toDense() {
        return new Linear(dequantizedWeight(), bias());
    }
}
