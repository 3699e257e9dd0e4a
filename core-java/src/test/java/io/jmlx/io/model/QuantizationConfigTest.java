package io.jmlx.io.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading and writing the {@code "quantization"} entry of an mlx-lm {@code config.json}, with mlx-lm's rules. */
class QuantizationConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static QuantizationConfig read(String config) throws Exception {
        return QuantizationConfig.read(JSON.readTree(config), "config.json").orElseThrow();
    }

    private static String error(String config) {
        return assertThrows(IllegalArgumentException.class, () -> read(config)).getMessage();
    }

    @Test
    void globalSettingsWithPerLayerDictsAndFalse() throws Exception {
        QuantizationConfig q = read("""
                {"quantization": {"group_size": 64, "bits": 4, "mode": "affine",
                  "model.layers.0.mlp.down_proj": {"group_size": 32, "bits": 6, "mode": "affine"},
                  "lm_head": false}}""");
        assertEquals(new QuantizationSettings(64, 4, QuantizationMode.AFFINE), q.global());
        assertEquals(
                Optional.of(new QuantizationSettings(32, 6, QuantizationMode.AFFINE)),
                q.forLayer("model.layers.0.mlp.down_proj", false),
                "an entry decides even without scales");
        assertEquals(Optional.empty(), q.forLayer("lm_head", true), "false keeps a layer dense even with scales");
        assertEquals(Optional.of(q.global()), q.forLayer("model.layers.1.mlp.up_proj", true));
        assertEquals(Optional.empty(), q.forLayer("model.layers.1.mlp.up_proj", false));
    }

    @Test
    void nullGroupSizeAndMissingModeTakeTheDefaults() throws Exception {
        QuantizationConfig q = read("{\"quantization\": {\"group_size\": null, \"bits\": 8}}");
        assertEquals(64, q.toJson().get("group_size").intValue(), "written back resolved");
        assertEquals(new QuantizationSettings(64, 8, QuantizationMode.AFFINE), q.global());
        QuantizationConfig fp = read("{\"quantization\": {\"bits\": 4, \"group_size\": null, \"mode\": \"mxfp4\"}}");
        assertEquals(new QuantizationSettings(32, 4, QuantizationMode.MXFP4), fp.global());
    }

    @Test
    void aLayerDictTakesToQuantizedDefaultsNotTheGlobalOnes() throws Exception {
        QuantizationConfig q = read("{\"quantization\": {\"group_size\": 32, \"bits\": 2, \"mode\": \"affine\", "
                + "\"a\": {\"bits\": 8}, \"b\": {\"mode\": \"mxfp4\"}}}");
        assertEquals(
                new QuantizationSettings(64, 8, QuantizationMode.AFFINE),
                q.forLayer("a", false).orElseThrow());
        assertEquals(
                new QuantizationSettings(32, 4, QuantizationMode.MXFP4),
                q.forLayer("b", false).orElseThrow());
    }

    @Test
    void theHuggingFaceMirrorIsReadWhenTheMainEntryIsMissing() throws Exception {
        QuantizationConfig q = read("{\"quantization_config\": {\"group_size\": 128, \"bits\": 3}}");
        assertEquals(new QuantizationSettings(128, 3, QuantizationMode.AFFINE), q.global());
        QuantizationConfig mx = read("{\"quantization_config\": {\"quant_method\": \"mxfp4\"}}");
        assertEquals(new QuantizationSettings(32, 4, QuantizationMode.MXFP4), mx.global());
        assertTrue(QuantizationConfig.read(JSON.readTree("{\"model_type\": \"llama\"}"), "c")
                .isEmpty());
    }

    @Test
    void malformedEntriesAreRefusedWithWhereAndWhat() {
        assertEquals(
                "config.json: \"quantization\".bits must be an integer or null but is \"4\"",
                error("{\"quantization\": {\"bits\": \"4\"}}"));
        assertEquals(
                "config.json: \"quantization\": [quantize] Invalid quantization mode 'int4'.",
                error("{\"quantization\": {\"bits\": 4, \"mode\": \"int4\"}}"));
        assertTrue(error("{\"quantization\": {\"bits\": 7}}")
                .contains("The requested number of bits 7 is not " + "supported"));
        assertTrue(error("{\"quantization\": {\"bits\": 4, \"x\": {\"bitz\": 4}}}")
                .contains("[\"x\"] has an unknown key \"bitz\""));
        assertTrue(error("{\"quantization\": {\"bits\": 4, \"x\": {\"group_size\": 48}}}")
                .contains("group size 48 is not supported"));
        assertTrue(error("{\"quantization\": [4]}").contains("must be an object"));
        assertTrue(error("{\"quantization_config\": {\"quant_method\": \"awq\", \"w_bit\": 4}}")
                .contains("\"awq\" checkpoint"));
    }

    @Test
    void writesWhatItReadsIncludingUnknownKeys() throws Exception {
        String text = "{\"quantization\": {\"group_size\": 64, \"bits\": 4, \"mode\": \"affine\", "
                + "\"lm_head\": {\"group_size\": 64, \"bits\": 8, \"mode\": \"affine\"}, \"router\": false, "
                + "\"recipe\": \"mixed_4_6\"}}";
        QuantizationConfig q = read(text);
        JsonNode written = q.toJson();
        assertEquals(JSON.readTree(text).get("quantization"), written);
        assertEquals(
                q,
                QuantizationConfig.read(JSON.createObjectNode().set("quantization", written), "c")
                        .orElseThrow());
    }
}
