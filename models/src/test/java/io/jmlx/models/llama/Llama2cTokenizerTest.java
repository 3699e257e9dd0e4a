package io.jmlx.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * llama2.c's tokenizer on TinyStories' {@code tokenizer.bin}: encoding the reference story's text gives the
 * reference tokens back, and text outside the vocabulary falls back to bytes and decodes to itself.
 */
class Llama2cTokenizerTest {
    static Llama2cTokenizer tokenizer() throws IOException {
        try (InputStream in = Files.newInputStream(TinyStories.directory().resolve("tokenizer.bin"))) {
            return Llama2cTokenizer.read(in, 512, 1);
        }
    }

    @Test
    void encodingTheReferenceStoryGivesItsTokens() throws IOException {
        Llama2cTokenizer t = tokenizer();
        int[] reference = TinyStories.expectedTokens();
        String text = t.decode(reference);
        assertArrayEquals(reference, t.encode(text));
    }

    @Test
    void unknownCharactersFallBackToBytesAndRoundTrip() throws IOException {
        Llama2cTokenizer t = tokenizer();
        String text = "Zoë ate 3 crêpes — 🥞!";
        assertEquals(text, t.decode(t.encode(text)));
        assertEquals(0, t.encode("").length);
    }
}
