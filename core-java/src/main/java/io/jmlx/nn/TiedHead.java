package io.jmlx.nn;

import io.jmlx.Array;

/**
 * A token embedding that can also serve as the model's output head, its table used as a linear layer's weight
 * ({@code tie_word_embeddings}): {@link Embedding}, {@link QuantizedEmbedding}. Models call the head through this
 * interface, so that whatever stands in for the embedding (a calibration recorder) sees the head's inputs too.
 */
public interface TiedHead {
    /** {@code x · Eᵀ}: logits per token for hidden states {@code x} {@code [..., dims]}. */
    Array asLinear(Array x);
}
