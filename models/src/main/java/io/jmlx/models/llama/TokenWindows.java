package io.jmlx.models.llama;

import java.util.ArrayList;
import java.util.List;

/**
 * Text cut into token sequences for a decoder, for calibration or for measuring its loss: documents separated by
 * blank lines, each after BOS, in windows no longer than the model's context.
 */
public final class TokenWindows {
    private TokenWindows() {}

    /**
     * Each document of {@code text} (blank-line separated, trimmed, empty ones dropped) as BOS plus its tokens, cut
     * into consecutive windows of at most {@code maxLength} tokens (each later window starting with BOS too).
     */
    public static List<int[]> of(Llama2cTokenizer tokenizer, int bos, String text, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2 but is " + maxLength + ".");
        }
        List<int[]> out = new ArrayList<>();
        for (String document : text.split("\\R\\s*\\R")) {
            String trimmed = document.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int[] tokens = tokenizer.encode(trimmed);
            for (int from = 0; from < tokens.length; from += maxLength - 1) {
                int[] window = new int[Math.min(maxLength - 1, tokens.length - from) + 1];
                window[0] = bos;
                System.arraycopy(tokens, from, window, 1, window.length - 1);
                out.add(window);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the text has no document (only blank lines).");
        }
        return out;
    }
}
