package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.quant.QuantizedParts;

/**
 * An embedding table stored quantized (MLX's {@code nn.QuantizedEmbedding}), one token per row, groups running
 * along the vector. Looking tokens up gathers their packed rows, scales and biases and dequantizes only those.
 * Parameters: {@code weight}, {@code scales}, {@code biases} (affine only).
 */
public final class QuantizedEmbedding extends QuantizedLayer implements TiedHead {

    /** A table with the quantized weight {@code [num_embeddings, dims]}. */
    public QuantizedEmbedding(QuantizedArray weight) {
        super("QuantizedEmbedding", weight);
    }

    /** {@code embedding} quantized with MLX's defaults (affine, group size 64, 4 bits). */
    public static QuantizedEmbedding fromEmbedding(Embedding embedding) {
        return fromEmbedding(embedding, null, null, null);
    }

    /**
     * {@code embedding}'s table quantized now; {@code null} group size or bits take the mode's defaults, a
     * {@code null} mode is {@code affine}. The vector size must be a multiple of the group size.
     */
    public static QuantizedEmbedding fromEmbedding(Embedding embedding, Integer groupSize, Integer bits, String mode) {
        return fromEmbedding(embedding, QuantizationSettings.resolve(groupSize, bits, mode));
    }

    /** {@code embedding}'s table quantized now with {@code settings}. */
    public static QuantizedEmbedding fromEmbedding(Embedding embedding, QuantizationSettings settings) {
        return new QuantizedEmbedding(QuantizedArray.fromDense(embedding.weight(), settings));
    }

    /**
     * The dequantized rows for the integer token ids {@code x} (at least 1-D): shape {@code [...x.shape, dims]},
     * in the scales' type (affine) or bfloat16 (microscaling modes), as MLX.
     */
    @Override
    public Array forward(Array x) {
        Array biases = biases();
        QuantizedParts rows = new QuantizedParts(
                Jmlx.take(weight(), x, 0), Jmlx.take(scales(), x, 0), biases == null ? null : Jmlx.take(biases, x, 0));
        return Jmlx.dequantize(rows, settings());
    }

    /** {@code x · Êᵀ} on the packed table: an output head tied to the input embedding (logits per token). */
    @Override
    public Array asLinear(Array x) {
        return matmulTransposed(x);
    }

    /** An {@link Embedding} with the dequantized table. */
    @Override
    public Embedding toDense() {
        return new Embedding(dequantizedWeight());
    }
}
