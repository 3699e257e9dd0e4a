package io.jmlx.models.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmlx.testing.FuzzFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Jazzer on {@link WordPieceTokenizer}: the input is a {@code tokenizer.json}, the separator {@value #SEPARATOR},
 * then UTF-8 text. Either the file is refused (an {@link IOException} for what is not JSON, an
 * {@link IllegalArgumentException} for what is not a WordPiece tokenizer jmlx can use, each saying why), or the
 * text encodes as {@code [CLS] ... [SEP]} within the maximum length. Anything else is a finding.
 *
 * <p>Seeds ({@code WordPieceTokenizerFuzzTestInputs/}): small BERT-style tokenizers (lower-casing or not, with and
 * without truncation) with texts that use continuations, punctuation, accents, CJK and unknown words.
 */
class WordPieceTokenizerFuzzTest {
    private static final String SEPARATOR = "<<text>>";
    private static final int POSITIONS = 512;

    /** The format's words and small numbers, for mutations that keep the JSON meaningful. */
    @DictionaryEntries({
        "\"model\"",
        "\"type\"",
        "\"WordPiece\"",
        "\"vocab\"",
        "\"unk_token\"",
        "\"[UNK]\"",
        "\"[CLS]\"",
        "\"[SEP]\"",
        "\"##\"",
        "\"continuing_subword_prefix\"",
        "\"max_input_chars_per_word\"",
        "\"truncation\"",
        "\"max_length\"",
        "\"normalizer\"",
        "\"lowercase\"",
        "\"strip_accents\"",
        "\"clean_text\"",
        "\"handle_chinese_chars\"",
        "null",
        "true",
        "false",
        "0",
        "1",
        "-1",
        "2147483647",
        "1e9",
        "\"\"",
        "{}",
        "[]"
    })
    @FuzzTest
    void encodesOrSaysWhy(byte[] bytes) {
        byte[] separator = SEPARATOR.getBytes(StandardCharsets.US_ASCII);
        int split = -1;
        for (int i = 0; i + separator.length <= bytes.length && split < 0; i++) {
            if (Arrays.equals(bytes, i, i + separator.length, separator, 0, separator.length)) {
                split = i;
            }
        }
        byte[] json = split < 0 ? bytes : Arrays.copyOf(bytes, split);
        String text = split < 0
                ? ""
                : new String(
                        bytes,
                        split + separator.length,
                        bytes.length - split - separator.length,
                        StandardCharsets.UTF_8);
        WordPieceTokenizer tokenizer;
        try {
            tokenizer = WordPieceTokenizer.read(new ByteArrayInputStream(json), POSITIONS);
        } catch (IOException | IllegalArgumentException refused) {
            FuzzFiles.assertExplains(refused);
            return;
        }
        assertTrue(tokenizer.maxLength() >= 2 && tokenizer.maxLength() <= POSITIONS, "length " + tokenizer.maxLength());
        int[] ids = tokenizer.encode(text);
        assertTrue(ids.length >= 2 && ids.length <= tokenizer.maxLength(), Arrays.toString(ids));
        assertArrayEquals(tokenizer.encode(""), new int[] {ids[0], ids[ids.length - 1]}, "[CLS] ... [SEP]");
    }
}
