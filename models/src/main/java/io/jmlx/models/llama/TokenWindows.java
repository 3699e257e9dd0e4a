package io.jmlx.models.llama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Text cut into token sequences for a decoder, for calibration or for measuring its loss: documents separated by
 * blank lines, each encoded as a prompt (with the tokenizer's BOS), in windows no longer than the model's context.
 */
public final class TokenWindows {
    private TokenWindows() {}

    /**
     * Each document of {@code text} (blank-line separated, trimmed, empty ones dropped) as
     * {@link TextTokenizer#encodePrompt}, cut into windows of at most {@code maxLength} tokens that overlap by one,
     * so that every token but a document's first is predicted exactly once in a teacher-forced pass.
     *
     * @throws IllegalArgumentException if {@code maxLength} is below 2 or the text has no document
     */
    public static List<int[]> of(TextTokenizer tokenizer, String text, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2 but is " + maxLength + ".");
        }
        List<int[]> out = new ArrayList<>();
        for (String document : text.split("\\R\\s*\\R")) {
            String trimmed = document.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int[] tokens = tokenizer.encodePrompt(trimmed);
            for (int from = 0; from + 1 < tokens.length; from += maxLength - 1) {
                out.add(Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + maxLength)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the text has no document (only blank lines).");
        }
        return out;
    }
}
