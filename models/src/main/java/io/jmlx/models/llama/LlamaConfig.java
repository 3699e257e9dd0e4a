package io.jmlx.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.models.ConfigJson;
import java.util.List;

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
 * @param attentionBias      {@code true}: the q, k, v and o projections have biases
 * @param mlpBias            {@code true}: the gate, up and down projections have biases
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
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias) {

    /** The {@code model_type} values of {@code config.json} this architecture reads (mlx-lm maps them to llama). */
    public static final List<String> MODEL_TYPES = List.of("llama", "mistral");

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
     * {@code rope_traditional}, {@code attention_bias} and {@code mlp_bias} to false and {@code tie_word_embeddings}
     * to true, as in mlx-lm.
     *
     * @throws IllegalArgumentException if {@code model_type} is not one of {@link #MODEL_TYPES}, a required size is
     *                                  missing, or the config asks for RoPE scaling (not supported)
     */
    public static LlamaConfig from(JsonNode config) {
        String type = config.path("model_type").asText("");
        if (!isLlamaFamily(config)) {
            throw new IllegalArgumentException("config.json's model_type is "
                    + (type.isEmpty() ? "missing" : "'" + type + "'") + " but this decoder reads " + MODEL_TYPES
                    + ".");
        }
        JsonNode scaling = config.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new IllegalArgumentException("config.json asks for rope_scaling " + scaling
                    + ", which this decoder does not support (only plain RoPE).");
        }
        int hidden = ConfigJson.positiveInt(config, "hidden_size");
        int heads = ConfigJson.positiveInt(config, "num_attention_heads");
        return new LlamaConfig(
                hidden,
                ConfigJson.positiveInt(config, "intermediate_size"),
                heads,
                config.path("num_key_value_heads").asInt(heads),
                config.path("head_dim").asInt(hidden / heads),
                ConfigJson.positiveInt(config, "num_hidden_layers"),
                ConfigJson.positiveInt(config, "vocab_size"),
                (float) config.path("rms_norm_eps").asDouble(1e-5),
                (float) config.path("rope_theta").asDouble(10000),
                config.path("rope_traditional").asBoolean(false),
                config.path("tie_word_embeddings").asBoolean(true),
                config.path("attention_bias").asBoolean(false),
                config.path("mlp_bias").asBoolean(false));
    }

    /** Whether {@code config} ({@code config.json}) names a model type of {@link #MODEL_TYPES}. */
    public static boolean isLlamaFamily(JsonNode config) {
        return MODEL_TYPES.contains(config.path("model_type").asText(""));
    }
}
