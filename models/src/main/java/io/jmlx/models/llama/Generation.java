package io.jmlx.models.llama;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Text generation as an iterator of token ids, as mlx-lm's {@code generate_step}: the first step runs the whole
 * prompt (prefill), each later one only the previous token (the {@link KvCache} remembers the rest); a
 * {@link Sampler} picks each token from the last position's logits. Generation ends after {@code maxTokens} tokens
 * or at a stop token (end of text), which is not returned. {@link #hasNext()} computes the next token when needed.
 *
 * <p>{@link #stats()} tells how long the steps took: prefill is the step that reads the prompt, generation the later
 * ones.
 */
public final class Generation implements Iterator<Integer> {
    private final Llama llama;
    private final KvCache cache;
    private final Sampler sampler;
    private final Set<Integer> stopTokens;
    private final int maxTokens;
    private final int promptTokens;
    private int[] pending;
    private int produced;
    private int steps;
    private long prefillNanos;
    private long generationNanos;
    private Integer next;
    private boolean stopped;

    /** How much was read and generated, and how long it took. */
    public record Stats(int promptTokens, int generatedTokens, int steps, long prefillNanos, long generationNanos) {
        /** Prompt tokens per second of the prefill step, or NaN before it ran. */
        public double prefillTokensPerSecond() {
            return steps == 0 ? Double.NaN : promptTokens / (prefillNanos / 1e9);
        }

        /** Tokens per second of the steps after the first (one token each), or NaN when there were none. */
        public double generationTokensPerSecond() {
            return steps < 2 ? Double.NaN : (steps - 1) / (generationNanos / 1e9);
        }
    }

    /**
     * Generates up to {@code maxTokens} tokens after {@code prompt} (e.g. BOS and the prompt's tokens), stopping
     * early at any of {@code stopTokens}.
     *
     * @throws IllegalArgumentException if the prompt is empty or {@code maxTokens} is negative
     */
    public Generation(Llama llama, int[] prompt, int maxTokens, Sampler sampler, Set<Integer> stopTokens) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("generation needs a prompt of at least one token (e.g. BOS).");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0 but is " + maxTokens + ".");
        }
        this.llama = llama;
        this.cache = llama.newCache();
        this.sampler = sampler;
        this.stopTokens = Set.copyOf(stopTokens);
        this.maxTokens = maxTokens;
        this.promptTokens = prompt.length;
        this.pending = prompt.clone();
    }

    @Override
    public boolean hasNext() {
        if (next == null && !stopped && produced < maxTokens) {
            long start = System.nanoTime();
            int token = step();
            long took = System.nanoTime() - start;
            if (steps++ == 0) {
                prefillNanos = took;
            } else {
                generationNanos += took;
            }
            pending = new int[] {token};
            if (stopTokens.contains(token)) {
                stopped = true;
            } else {
                next = token;
            }
        }
        return next != null;
    }

    @Override
    public Integer next() {
        if (!hasNext()) {
            throw new NoSuchElementException(
                    stopped ? "generation reached a stop token." : "all " + maxTokens + " tokens have been generated.");
        }
        int token = next;
        next = null;
        produced++;
        return token;
    }

    /** True when generation ended at a stop token rather than at the token limit. */
    public boolean stoppedAtEndOfText() {
        return stopped;
    }

    /** The counts and timings so far. */
    public Stats stats() {
        return new Stats(promptTokens, produced, steps, prefillNanos, generationNanos);
    }

    /** Runs the model on the pending tokens and picks the next one. */
    private int step() {
        if (sampler.isGreedy()) {
            return llama.nextToken(pending, cache).toIntArray()[0];
        }
        Array logits = llama.logits(pending, cache);
        int rows = logits.dim(0);
        Array last = Jmlx.slice(logits, new int[] {rows - 1, 0}, new int[] {rows, logits.dim(1)});
        return sampler.sample(last.toFloatArray());
    }
}
