package io.jmlx.models.llama;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmlx.testing.FuzzFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Jazzer on {@link Llama2cTokenizer}: the input is the vocabulary size and the BOS id (two little-endian ints, as
 * {@code config.json} would give them), then a {@code tokenizer.bin}. Either it is refused (an {@link IOException}
 * for a malformed file, an {@link IllegalArgumentException} for a vocabulary size or BOS id out of range, each
 * saying why), or every token decodes, the text they make encodes (or is refused for a character that the
 * vocabulary cannot spell, with an {@link IllegalArgumentException}) into tokens that decode, and a token outside the vocabulary is refused with an
 * {@link IllegalArgumentException}. Anything else (an {@link OutOfMemoryError} from a size, a hang) is a finding.
 *
 * <p>Seeds ({@code Llama2cTokenizerFuzzTestInputs/}): llama2.c-style vocabularies written here (the three special
 * tokens, the 256 byte tokens {@code <0xHH>}, merged pieces with scores).
 */
class Llama2cTokenizerFuzzTest {
    @FuzzTest
    void decodesOrSaysWhy(byte[] bytes) {
        if (bytes.length < 8) {
            return;
        }
        ByteBuffer head = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        int vocabSize = head.getInt();
        int bos = head.getInt();
        Llama2cTokenizer tokenizer;
        try {
            tokenizer = Llama2cTokenizer.read(new ByteArrayInputStream(bytes, 8, bytes.length - 8), vocabSize, bos);
        } catch (IOException | IllegalArgumentException refused) {
            FuzzFiles.assertExplains(refused);
            return;
        }
        int[] all = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            all[i] = i;
        }
        String text = tokenizer.decode(all);
        try {
            int[] encoded = tokenizer.encode(text);
            tokenizer.decode(encoded);
        } catch (IllegalArgumentException refused) { // a character whose byte tokens the vocabulary lacks
            FuzzFiles.assertExplains(refused);
        }
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {vocabSize}));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {-1}));
    }
}
