package io.jmlx.io.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code "quantization"} entry of an mlx-lm {@code config.json}: the global group size, bits and mode, and
 * per-layer overrides keyed by module path ({@code "model.layers.0.mlp.down_proj": {"bits": 8, ...}}, or
 * {@code false} for a layer kept dense).
 *
 * <p>As in mlx-lm, a {@code null} or missing global group size or bits means the mode's default and a missing
 * mode means affine (written back resolved); a per-layer entry is passed to the layer's {@code to_quantized} as it
 * is, so its missing keys take that method's defaults (mode affine, the mode's group size and bits), not the global
 * values. Keys that are neither settings nor layer entries are kept as they are and written back unchanged.
 *
 * @param global the global settings, defaults resolved
 * @param layers per-layer entries in file order: settings, or {@code null} for a layer that stays dense
 * @param extra  other keys of the entry, kept for writing back
 */
public record QuantizationConfig(
        QuantizationSettings global, Map<String, QuantizationSettings> layers, Map<String, JsonNode> extra) {
    private static final String GROUP_SIZE = "group_size";
    private static final String BITS = "bits";
    private static final String MODE = "mode";

    /** Copies the maps. */
    public QuantizationConfig {
        Objects.requireNonNull(global, "global");
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** A config with global settings only. */
    public static QuantizationConfig of(QuantizationSettings global) {
        return new QuantizationConfig(global, Map.of(), Map.of());
    }

    /** This config with {@code layers} as its per-layer entries. */
    public QuantizationConfig withLayers(Map<String, QuantizationSettings> layers) {
        return new QuantizationConfig(global, layers, extra);
    }

    /**
     * How the layer at {@code path} is stored by mlx-lm's rule: its per-layer entry when there is one (empty for
     * {@code false}); otherwise the global settings if {@code hasScales} (the checkpoint holds
     * {@code <path>.scales}), else empty.
     */
    public Optional<QuantizationSettings> forLayer(String path, boolean hasScales) {
        if (layers.containsKey(path)) {
            return Optional.ofNullable(layers.get(path));
        }
        return hasScales ? Optional.of(global()) : Optional.empty();
    }

    /**
     * Reads the entry from a parsed {@code config.json}: {@code "quantization"}, else its Hugging Face mirror
     * {@code "quantization_config"}. Empty when neither is there.
     *
     * @param source names the file in messages
     * @throws IllegalArgumentException if the entry is malformed or describes a format jmlx cannot load
     */
    public static Optional<QuantizationConfig> read(JsonNode config, String source) {
        String key = config.has("quantization") ? "quantization" : "quantization_config";
        JsonNode node = config.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        String where = source + ": \"" + key + "\"";
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object but is " + node.getNodeType());
        }
        JsonNode method = node.get("quant_method");
        if (method != null && !node.has(BITS)) {
            if ("mxfp4".equals(method.asText())) {
                return Optional.of(of(QuantizationSettings.defaults(QuantizationMode.MXFP4)));
            }
            throw new IllegalArgumentException(where + " describes a \"" + method.asText() + "\" checkpoint, which "
                    + "jmlx does not load; convert it to MLX's layout with mlx-lm first");
        }
        QuantizationMode mode;
        try {
            mode = QuantizationMode.parse(
                    "quantize", node.has(MODE) ? text(node.get(MODE), where + "." + MODE) : "affine");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        QuantizationSettings global;
        try {
            global = QuantizationSettings.resolve(
                    integer(node.get(GROUP_SIZE), where + "." + GROUP_SIZE),
                    integer(node.get(BITS), where + "." + BITS),
                    mode);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        Map<String, QuantizationSettings> layers = new LinkedHashMap<>();
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            JsonNode value = e.getValue();
            if (name.equals(GROUP_SIZE) || name.equals(BITS) || name.equals(MODE)) {
                continue;
            }
            String at = where + "[\"" + name + "\"]";
            if (value.isBoolean()) {
                // true: quantize with the call's (global) settings, as nn.quantize does for a True answer.
                layers.put(name, value.booleanValue() ? global : null);
            } else if (value.isObject()) {
                layers.put(name, layer(value, at));
            } else {
                extra.put(name, value);
            }
        }
        return Optional.of(new QuantizationConfig(global, layers, extra));
    }

    /** A per-layer object: the keys {@code to_quantized} takes, each optional. */
    private static QuantizationSettings layer(JsonNode value, String where) {
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            String k = e.getKey();
            if (!k.equals(GROUP_SIZE) && !k.equals(BITS) && !k.equals(MODE) && !k.equals("quantize_input")) {
                throw new IllegalArgumentException(where + " has an unknown key \"" + k + "\"; a layer entry takes "
                        + "group_size, bits and mode");
            }
        }
        try {
            return QuantizationSettings.resolve(
                    integer(value.get(GROUP_SIZE), where + "." + GROUP_SIZE),
                    integer(value.get(BITS), where + "." + BITS),
                    value.has(MODE) ? text(value.get(MODE), where + "." + MODE) : null);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Integer integer(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(where + " must be an integer or null but is " + v);
        }
        return v.intValue();
    }

    private static String text(JsonNode v, String where) {
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + " must be a string but is " + v);
        }
        return v.textValue();
    }

    /**
     * The entry as mlx-lm writes it: {@code group_size}, {@code bits}, {@code mode}, then each layer entry
     * ({@code false} for a dense layer, else its three settings), then the kept extra keys.
     */
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put(GROUP_SIZE, global.groupSize())
                .put(BITS, global.bits())
                .put(MODE, global.mode().mlxName());
        for (Map.Entry<String, QuantizationSettings> e : layers.entrySet()) {
            QuantizationSettings s = e.getValue();
            if (s == null) {
                node.put(e.getKey(), false);
            } else {
                node.putObject(e.getKey())
                        .put(GROUP_SIZE, s.groupSize())
                        .put(BITS, s.bits())
                        .put(MODE, s.mode().mlxName());
            }
        }
        extra.forEach(node::set);
        return node;
    }
}
