package io.jmlx.models.llama;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Greedy generation as an iterator: the first call runs the whole prompt, each later one only the previous token
 * (the {@link KvCache} remembers the rest); each token is the argmax of the last position's logits.
 */
final class GreedyDecoder implements Iterator<Integer> {
    private final Llama llama;
    private final KvCache cache;
    private final int maxTokens;
    private int[] pending;
    private int produced;

    GreedyDecoder(Llama llama, int[] prompt, int maxTokens) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("generation needs a prompt of at least one token (e.g. BOS).");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0 but is " + maxTokens + ".");
        }
        this.llama = llama;
        this.cache = llama.newCache();
        this.maxTokens = maxTokens;
        this.pending = prompt.clone();
    }

    @Override
    public boolean hasNext() {
        return produced < maxTokens;
    }

    @Override
    public Integer next() {
        if (!hasNext()) {
            throw new NoSuchElementException("all " + maxTokens + " tokens have been generated.");
        }
        int token = llama.nextToken(pending, cache).toIntArray()[0];
        pending = new int[] {token};
        produced++;
        return token;
    }
}
