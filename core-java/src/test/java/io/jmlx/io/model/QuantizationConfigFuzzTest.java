package io.jmlx.io.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.io.Json;
import java.io.IOException;
import java.util.Optional;

/**
 * Jazzer on the quantization settings of a {@code config.json} ({@link QuantizationConfig#read}): any bytes are
 * either not JSON, or give settings that survive writing back and reading again
 * unchanged, or are refused with an {@link IllegalArgumentException} that names the entry. Anything else is a
 * finding.
 *
 * <p>Seeds ({@code QuantizationConfigFuzzTestInputs/}): mlx-lm's layouts (global settings, per-layer entries and
 * {@code false}, the {@code quantization_config} mirror, microscaling modes, a Hugging Face {@code quant_method}).
 */
class QuantizationConfigFuzzTest {
    /** The format's words and numbers, for mutations that keep the JSON meaningful. */
    @DictionaryEntries({
        "\"quantization\"",
        "\"quantization_config\"",
        "\"group_size\"",
        "\"bits\"",
        "\"mode\"",
        "\"quant_method\"",
        "\"quantize_input\"",
        "\"affine\"",
        "\"mxfp4\"",
        "\"mxfp8\"",
        "\"nvfp4\"",
        "null",
        "true",
        "false",
        "0",
        "2",
        "3",
        "4",
        "5",
        "6",
        "8",
        "16",
        "32",
        "64",
        "128",
        "-1",
        "2147483648",
        "{}",
        "[]"
    })
    @FuzzTest
    void readsWritesBackOrSaysWhy(byte[] bytes) {
        JsonNode config;
        try {
            config = Json.MAPPER.readTree(bytes);
        } catch (IOException notJson) { // bad syntax, or bytes that are no text in any JSON encoding
            return;
        }
        if (config == null || !config.isObject()) {
            return;
        }
        Optional<QuantizationConfig> read;
        try {
            read = QuantizationConfig.read(config, "config.json");
        } catch (IllegalArgumentException refused) {
            assertEquals(true, refused.getMessage().startsWith("config.json: \"quantization"), refused::toString);
            return;
        }
        if (read.isEmpty()) {
            return;
        }
        QuantizationConfig q = read.get();
        ObjectNode again = JsonNodeFactory.instance.objectNode();
        again.set("quantization", q.toJson());
        assertEquals(q, QuantizationConfig.read(again, "again").orElseThrow());
        q.layers().forEach((path, s) -> assertEquals(Optional.ofNullable(s), q.forLayer(path, true)));
    }
}
