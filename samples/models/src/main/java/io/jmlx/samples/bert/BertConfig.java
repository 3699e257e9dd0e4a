package io.jmlx.samples.bert;

/**
 * The sizes of a BERT encoder.
 *
 * @param vocabSize      tokens in the vocabulary
 * @param hidden         width of the token states
 * @param layers         transformer layers
 * @param heads          attention heads per layer
 * @param intermediate   width of the feed-forward layer
 * @param maxPositions   longest input, in tokens
 * @param typeVocabSize  token types (segments)
 * @param layerNormEps   the layer norms' epsilon
 */
public record BertConfig(
        int vocabSize,
        int hidden,
        int layers,
        int heads,
        int intermediate,
        int maxPositions,
        int typeVocabSize,
        float layerNormEps) {
    /** Checks that the heads divide the width. */
    public BertConfig {
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + " is not divisible by " + heads + " heads");
        }
    }

    /** The width of one attention head. */
    public int headDim() {
        return hidden / heads;
    }
}
