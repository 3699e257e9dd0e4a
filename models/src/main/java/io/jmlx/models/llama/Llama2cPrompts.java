package io.jmlx.models.llama;

import java.util.Set;

/**
 * llama2.c's conventions around its {@link Llama2cTokenizer}: a prompt is BOS then its tokens, a piece after BOS
 * loses its leading space, and generating BOS ends the text (llama2.c's {@code run} stops there).
 */
record Llama2cPrompts(Llama2cTokenizer tokenizer, int bos) implements TextTokenizer {
    @Override
    public int[] encodePrompt(String prompt) {
        int[] tokens = tokenizer.encode(prompt);
        int[] ids = new int[tokens.length + 1];
        ids[0] = bos;
        System.arraycopy(tokens, 0, ids, 1, tokens.length);
        return ids;
    }

    @Override
    public byte[] bytes(int previous, int token) {
        return tokenizer.piece(previous, token);
    }

    @Override
    public Set<Integer> endOfText() {
        return Set.of(bos);
    }
}
