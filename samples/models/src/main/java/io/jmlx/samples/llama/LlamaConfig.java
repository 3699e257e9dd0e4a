package io.jmlx.samples.llama;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sizes and constants of a Llama model, read from a Hugging Face / mlx-lm {@code config.json}.
 *
 * @param hiddenSize         width of the residual stream
 * @param intermediateSize   width of the MLP's hidden layer
 * @param numHeads           query heads
 * @param numKvHeads         key/value heads (fewer than {@code numHeads} for grouped-query attention)
 * @param headDim            width of one head
 * @param numLayers          decoder layers
 * @param vocabSize          tokens in the vocabulary
 * @param rmsNormEps         {@code eps} of every RMSNorm
 * @param ropeTheta          base of the rotary frequencies
 * @param ropeTraditional    {@code true}: rotate adjacent pairs; {@code false} (the default): half-split pairs
 * @param tieWordEmbeddings  {@code true}: the output head is the input embedding
 */
public record LlamaConfig(
        int hiddenSize,
        int intermediateSize,
        int numHeads,
        int numKvHeads,
        int headDim,
        int numLayers,
        int vocabSize,
        float rmsNormEps,
        float ropeTheta,
        boolean ropeTraditional,
        boolean tieWordEmbeddings) {

    /** Checks that the sizes fit together. */
    public LlamaConfig {
        if (numKvHeads <= 0 || numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numHeads + ") must be a positive multiple of "
                    + "num_key_value_heads (" + numKvHeads + ").");
        }
    }

    /**
     * The config of {@code config.json}: {@code num_key_value_heads} defaults to the number of heads,
     * {@code head_dim} to {@code hidden_size / num_attention_heads}, {@code rope_theta} to 10000,
     * {@code rope_traditional} to false and {@code tie_word_embeddings} to true, as in mlx-lm.
     *
     * @throws IllegalArgumentException if a required size is missing, or the config asks for RoPE scaling (not
     *                                  supported by this sample)
     */
    public static LlamaConfig from(JsonNode config) {
        JsonNode scaling = config.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new IllegalArgumentException("config.json asks for rope_scaling " + scaling
                    + ", which this sample does not support (only plain RoPE).");
        }
        int hidden = required(config, "hidden_size");
        int heads = required(config, "num_attention_heads");
        return new LlamaConfig(
                hidden,
                required(config, "intermediate_size"),
                heads,
                config.path("num_key_value_heads").asInt(heads),
                config.path("head_dim").asInt(hidden / heads),
                required(config, "num_hidden_layers"),
                required(config, "vocab_size"),
                (float) config.path("rms_norm_eps").asDouble(1e-5),
                (float) config.path("rope_theta").asDouble(10000),
                config.path("rope_traditional").asBoolean(false),
                config.path("tie_word_embeddings").asBoolean(true));
    }

    private static int required(JsonNode config, String key) {
        JsonNode v = config.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new IllegalArgumentException("config.json must give " + key + " as a positive integer but has "
                    + (v == null ? "none" : v) + ".");
        }
        return v.asInt();
    }
}
