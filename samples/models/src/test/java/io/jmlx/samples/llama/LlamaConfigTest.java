package io.jmlx.samples.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@link LlamaConfig#from}: TinyStories' config.json, mlx-lm's defaults, and clear errors. */
class LlamaConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTinyStoriesConfig() throws IOException {
        LlamaConfig c = LlamaConfig.from(
                JSON.readTree(TinyStories.directory().resolve("config.json").toFile()));
        assertEquals(new LlamaConfig(64, 172, 8, 4, 8, 5, 512, 1e-5f, 10000, false, true), c);
    }

    @Test
    void fillsMlxLmDefaults() throws IOException {
        LlamaConfig c = LlamaConfig.from(JSON.readTree("{\"hidden_size\": 32, \"intermediate_size\": 64, "
                + "\"num_attention_heads\": 4, \"num_hidden_layers\": 2, \"vocab_size\": 10}"));
        assertEquals(new LlamaConfig(32, 64, 4, 4, 8, 2, 10, 1e-5f, 10000, false, true), c);
    }

    @Test
    void namesWhatIsMissingOrUnsupported() throws IOException {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> LlamaConfig.from(JSON.readTree("{\"num_attention_heads\": 4}")));
        assertEquals("config.json must give hidden_size as a positive integer but has none.", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> LlamaConfig.from(JSON.readTree("{\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2}}")));
        assertEquals(
                "config.json asks for rope_scaling {\"type\":\"linear\",\"factor\":2}, which this sample does not "
                        + "support (only plain RoPE).",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new LlamaConfig(64, 172, 8, 3, 8, 5, 512, 1e-5f, 10000, false, true));
        assertEquals("num_attention_heads (8) must be a positive multiple of num_key_value_heads (3).", e.getMessage());
    }
}
