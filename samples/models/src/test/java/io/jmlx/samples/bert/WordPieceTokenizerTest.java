package io.jmlx.samples.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.jmlx.samples.Sentences;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * jmlx's WordPiece tokenizer gives exactly the ids of Hugging Face's tokenizers (the Rust library, through DJL) for
 * every built-in sentence, with both models' tokenizer.json, long inputs truncated the same way.
 */
class WordPieceTokenizerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(EncoderModel.class)
    void idsEqualHuggingFaceTokenizers(EncoderModel model) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        try (InputStream in = model.tokenizerJson()) {
            Files.copy(in, json);
        }
        WordPieceTokenizer ours;
        try (InputStream in = Files.newInputStream(json)) {
            ours = WordPieceTokenizer.read(in, 512);
        }
        List<String> sentences = Sentences.all();
        assertTrue(sentences.size() >= 50, "at least 50 sentences: " + sentences.size());
        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.builder()
                .optTokenizerPath(json)
                .optPadding(false)
                .optTruncation(true)
                .optMaxLength(ours.maxLength())
                .build()) {
            boolean truncated = false;
            for (String s : sentences) {
                Encoding e = reference.encode(s);
                int[] expected =
                        Arrays.stream(e.getIds()).mapToInt(Math::toIntExact).toArray();
                int[] actual = ours.encode(s);
                assertArrayEquals(expected, actual, () -> "'" + s + "': " + Arrays.toString(e.getTokens()));
                truncated |= actual.length == ours.maxLength();
            }
            assertTrue(truncated, "some sentence reaches the maximum length");
        }
    }
}
