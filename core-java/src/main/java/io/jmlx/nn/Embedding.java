package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationSettings;

/**
 * A lookup table of vectors (MLX's {@code nn.Embedding}): row {@code i} of the weight {@code [num_embeddings, dims]}
 * is the vector of token {@code i}. Parameter: {@code weight}.
 */
public final class Embedding extends Layer implements Quantizable, TiedHead {
    private final Parameter weight;

    /** A table initialized as MLX does (normal with standard deviation 1/√dims, float32). */
    public Embedding(int numEmbeddings, int dims) {
        this(initialWeight(numEmbeddings, dims));
    }

    /** A table with the given weight {@code [num_embeddings, dims]}. */
    public Embedding(Array weight) {
        LayerChecks.checkFloatingMatrix("Embedding", "weight", weight);
        this.weight = addParameter("weight", weight);
    }

    private static Array initialWeight(int numEmbeddings, int dims) {
        LayerChecks.checkDims("Embedding", "num_embeddings", numEmbeddings, "dims", dims);
        return Initializers.normal((float) Math.sqrt(1.0 / dims), numEmbeddings, dims);
    }

    /** The table, {@code [num_embeddings, dims]}. */
    public Array weight() {
        return weight.get();
    }

    /** The rows for the integer token ids {@code x} (any shape): shape {@code [...x.shape, dims]}. */
    @Override
    public Array forward(Array x) {
        return Jmlx.take(weight(), x, 0);
    }

    /** {@code x · Eᵀ}: the table used as an output head tied to the input embedding (logits per token). */
    @Override
    public Array asLinear(Array x) {
        return Jmlx.matmul(x, Jmlx.matrixTranspose(weight()));
    }

    /** {@link QuantizedEmbedding#fromEmbedding(Embedding, QuantizationSettings)}. */
    @Override
    public QuantizedEmbedding toQuantized(QuantizationSettings settings) {
        return QuantizedEmbedding.fromEmbedding(this, settings);
    }

    /** MLX's {@code to_quantized}: {@link QuantizedEmbedding#fromEmbedding(Embedding, Integer, Integer, String)}. */
    @Override
    public QuantizedEmbedding toQuantized(Integer groupSize, Integer bits, String mode) {
        return QuantizedEmbedding.fromEmbedding(this, groupSize, bits, mode);
    }
}
