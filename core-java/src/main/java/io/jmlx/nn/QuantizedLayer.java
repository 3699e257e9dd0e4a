package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.quant.QuantizedParts;

/**
 * A layer whose weight is stored quantized, as MLX stores it: parameters {@code weight} (uint32 packed codes,
 * {@code [rows, K·bits/32]}), {@code scales} ({@code [rows, K/group_size]}) and, in affine mode only,
 * {@code biases}; subclasses may add more (a linear layer's {@code bias}). {@link Quantization#dequantize} turns
 * such layers back into their dense counterparts.
 */
public abstract class QuantizedLayer extends Layer {
    private final QuantizationSettings settings;
    private final Parameter weight;
    private final Parameter scales;
    private final Parameter biases;

    /**
     * Registers the parameters of {@code weight}: a 2-D quantized matrix stored as quantized (not a transposed
     * view) and without an nvfp4 global scale, which MLX's layers do not have.
     *
     * @param layer the layer's name for messages, e.g. {@code QuantizedLinear}
     */
    protected QuantizedLayer(String layer, QuantizedArray weight) {
        if (weight == null) {
            throw new IllegalArgumentException("[" + layer + "] weight must be given.");
        }
        if (weight.isTransposed() || weight.ndim() != 2 || weight.globalScale() != null) {
            throw new IllegalArgumentException("[" + layer + "] weight must be a 2-D quantized matrix as stored (not a "
                    + "transposed view) and without a global scale, but is " + weight + " stored as "
                    + Shape.format(weight.storedShape()) + (weight.globalScale() == null ? "" : " with a global scale")
                    + ".");
        }
        this.settings = weight.settings();
        this.weight = addParameter("weight", weight.packed());
        this.scales = addParameter("scales", weight.scales());
        this.biases = weight.biases() == null ? null : addParameter("biases", weight.biases());
    }

    /** The group size, bits and mode the weight is quantized with. */
    public QuantizationSettings settings() {
        return settings;
    }

    /** The packed uint32 codes. */
    public Array weight() {
        return weight.get();
    }

    /** The per-group scales. */
    public Array scales() {
        return scales.get();
    }

    /** The per-group biases (affine), or {@code null} (microscaling modes). */
    public Array biases() {
        return biases == null ? null : biases.get();
    }

    /** The dense counterpart of this layer, with the dequantized weight (MLX's {@code dequantize} defaults for the type). */
    public abstract Layer toDense();

    /** The dequantized weight: the scales' type in affine mode, bfloat16 in the microscaling modes (as MLX). */
    protected final Array dequantizedWeight() {
        return Jmlx.dequantize(new QuantizedParts(weight(), scales(), biases()), settings);
    }

    /** {@code x · Ŵᵀ} on the packed weight (MLX's {@code quantized_matmul(..., transpose=True)}). */
    protected final Array matmulTransposed(Array x) {
        return Jmlx.quantizedMatmul(x, new QuantizedParts(weight(), scales(), biases()), true, settings, null);
    }
}
