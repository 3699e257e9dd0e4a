package io.jmlx.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import java.util.Map;

/**
 * The quantization settings {@code jmlx quantize} records in a file's safetensors metadata, under the key
 * {@value #KEY}, as a JSON string such as {@code {"group_size":64,"bits":4,"mode":"affine"}} (the same fields as
 * mlx-lm's {@code config.json} {@code "quantization"} entry), so that {@code jmlx dequantize} can read them back.
 * The record holds what the file says, checked only for its form (integers, one of MLX's modes): whether the
 * settings are valid is for the command reading them to say.
 */
record QuantizationMetadata(int groupSize, int bits, QuantizationMode mode) {
    /** The metadata key. */
    static final String KEY = ModelCheckpoint.RECORDED_SETTINGS;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON string stored under {@link #KEY} for {@code settings}. */
    static String toJson(QuantizationSettings settings) {
        return json(settings.groupSize(), settings.bits(), settings.mode());
    }

    /** The JSON string as it was recorded. */
    String toJson() {
        return json(groupSize, bits, mode);
    }

    private static String json(int groupSize, int bits, QuantizationMode mode) {
        ObjectNode node = JSON.createObjectNode();
        node.put("group_size", groupSize).put("bits", bits).put("mode", mode.mlxName());
        return node.toString();
    }

    /** True when this records exactly {@code settings}. */
    boolean describes(QuantizationSettings settings) {
        return groupSize == settings.groupSize() && bits == settings.bits() && mode == settings.mode();
    }

    /**
     * The settings recorded in {@code metadata}, or {@code null} when it has no {@link #KEY}.
     *
     * @throws IllegalArgumentException if the entry is there but malformed, or names a mode MLX does not have
     */
    static QuantizationMetadata read(Map<String, String> metadata) {
        String text = metadata.get(KEY);
        if (text == null) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata " + KEY + " is not valid JSON: " + text);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("metadata " + KEY + " must be a JSON object but is: " + text);
        }
        JsonNode g = node.get("group_size");
        JsonNode b = node.get("bits");
        JsonNode m = node.get("mode");
        if (g == null
                || !g.canConvertToInt()
                || !g.isIntegralNumber()
                || b == null
                || !b.isIntegralNumber()
                || !b.canConvertToInt()
                || (m != null && !m.isTextual())) {
            throw new IllegalArgumentException("metadata " + KEY + " needs integer group_size and bits (and an "
                    + "optional mode string) but is: " + text);
        }
        String mode = m == null ? "affine" : m.textValue();
        try {
            return new QuantizationMetadata(g.intValue(), b.intValue(), QuantizationMode.parse("dequantize", mode));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata " + KEY + " has the unknown mode '" + mode + "' (MLX's modes "
                    + "are affine, mxfp4, mxfp8 and nvfp4): " + text);
        }
    }
}
