package io.jmlx.models.bert;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.models.ConfigJson;

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

    /**
     * The sizes a Hugging Face {@code config.json} of a BERT model gives ({@code vocab_size}, {@code hidden_size},
     * {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size}; {@code max_position_embeddings}
     * 512, {@code type_vocab_size} 2 and {@code layer_norm_eps} 1e-12 when absent).
     *
     * @throws IllegalArgumentException naming a required size that is missing
     */
    public static BertConfig from(JsonNode config) {
        return new BertConfig(
                ConfigJson.positiveInt(config, "vocab_size"),
                ConfigJson.positiveInt(config, "hidden_size"),
                ConfigJson.positiveInt(config, "num_hidden_layers"),
                ConfigJson.positiveInt(config, "num_attention_heads"),
                ConfigJson.positiveInt(config, "intermediate_size"),
                config.path("max_position_embeddings").asInt(512),
                config.path("type_vocab_size").asInt(2),
                (float) config.path("layer_norm_eps").asDouble(1e-12));
    }

    /** The width of one attention head. */
    public int headDim() {
        return hidden / heads;
    }
}
