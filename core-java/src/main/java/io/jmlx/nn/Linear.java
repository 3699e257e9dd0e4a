package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationSettings;

/**
 * A fully connected layer (MLX's {@code nn.Linear}): {@code y = x · Wᵀ + b} with the weight stored
 * {@code [output_dims, input_dims]} and an optional bias {@code [output_dims]}. Parameters: {@code weight},
 * {@code bias} (only when the layer has one).
 */
public final class Linear extends Layer implements Quantizable {
    private final Parameter weight;
    private final Parameter bias;
    private Array transposedFrom;
    private Array transposed;

    /** A layer with a bias, initialized as MLX does (uniform in ±1/√input_dims, float32). */
    public Linear(int inputDims, int outputDims) {
        this(inputDims, outputDims, true);
    }

    /** A layer with or without a bias, initialized as MLX does (uniform in ±1/√input_dims, float32). */
    public Linear(int inputDims, int outputDims, boolean bias) {
        this(
                initialWeight(inputDims, outputDims),
                bias ? Initializers.uniform((float) Math.sqrt(1.0 / inputDims), outputDims) : null);
    }

    /** A layer with the given weight {@code [output_dims, input_dims]} and bias {@code [output_dims]} ({@code null}: none). */
    public Linear(Array weight, Array bias) {
        LayerChecks.checkFloatingMatrix("Linear", "weight", weight);
        LayerChecks.checkBias("Linear", bias, weight.dim(0));
        this.weight = addParameter("weight", weight);
        this.bias = bias == null ? null : addParameter("bias", bias);
    }

    private static Array initialWeight(int inputDims, int outputDims) {
        LayerChecks.checkDims("Linear", "input_dims", inputDims, "output_dims", outputDims);
        return Initializers.uniform((float) Math.sqrt(1.0 / inputDims), outputDims, inputDims);
    }

    /** The weight, {@code [output_dims, input_dims]}. */
    public Array weight() {
        return weight.get();
    }

    /** The bias, or {@code null} when the layer has none. */
    public Array bias() {
        return bias == null ? null : bias.get();
    }

    /** Size of the input's last axis. */
    public int inputDims() {
        return weight().dim(1);
    }

    /** Size of the output's last axis. */
    public int outputDims() {
        return weight().dim(0);
    }

    /** {@code x · Wᵀ + b} for {@code x} of shape {@code [..., input_dims]}. */
    @Override
    public Array forward(Array x) {
        Array y = Jmlx.matmul(x, transposedWeight());
        return bias == null ? y : Jmlx.add(y, bias.get());
    }

    /**
     * {@code Wᵀ}, made once per weight (jmlx has no strided views): a layer that is run repeatedly does not
     * transpose its weight on every call. The copy is dropped when the weight is replaced.
     */
    private synchronized Array transposedWeight() {
        Array w = weight();
        if (transposedFrom != w) {
            transposed = Jmlx.matrixTranspose(w);
            transposedFrom = w;
        }
        return transposed;
    }

    /** {@link QuantizedLinear#fromLinear(Linear, QuantizationSettings)}. */
    @Override
    public QuantizedLinear toQuantized(QuantizationSettings settings) {
        return QuantizedLinear.fromLinear(this, settings);
    }

    /** MLX's {@code to_quantized}: {@link QuantizedLinear#fromLinear(Linear, Integer, Integer, String)}. */
    @Override
    public QuantizedLinear toQuantized(Integer groupSize, Integer bits, String mode) {
        return QuantizedLinear.fromLinear(this, groupSize, bits, mode);
    }
}
