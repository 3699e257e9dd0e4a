package io.jmlx.models;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading a Hugging Face / mlx-lm {@code config.json}, with messages that name the key. */
public final class ConfigJson {
    private ConfigJson() {}

    /**
     * The positive integer {@code config} gives for {@code key}.
     *
     * @throws IllegalArgumentException naming the key and what the config has instead
     */
    public static int positiveInt(JsonNode config, String key) {
        JsonNode v = config.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new IllegalArgumentException("config.json must give " + key + " as a positive integer but has "
                    + (v == null ? "none" : v) + ".");
        }
        return v.asInt();
    }
}
