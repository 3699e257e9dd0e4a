package io.jmlx.models.llama;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How the next token is chosen from the logits: greedily (temperature 0, the argmax, the first on ties), or by
 * sampling from {@code softmax(logits / temperature)}, optionally restricted to the smallest set of most likely
 * tokens whose probabilities reach {@code topP} (nucleus sampling). The random numbers come from a generator seeded
 * with {@code seed}, so a seed repeats a run exactly.
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private final long seed;
    private final SplittableRandom random;

    /**
     * A sampler with the given temperature (0: greedy), nucleus mass {@code topP} (1: every token) and seed.
     *
     * @throws IllegalArgumentException if the temperature is negative or not finite, or {@code topP} is not in
     *                                  (0, 1]
     */
    public Sampler(float temperature, float topP, long seed) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("the temperature must be a finite number >= 0 but is " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1] but is " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** Greedy decoding: always the most likely token. */
    public static Sampler greedy() {
        return new Sampler(0, 1, 0);
    }

    /** True when this sampler takes the argmax (temperature 0). */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /** The seed of the random numbers. */
    public long seed() {
        return seed;
    }

    /** The next token for one position's logits {@code [vocab]}. */
    public int sample(float[] logits) {
        if (isGreedy()) {
            return argmax(logits);
        }
        double max = logits[argmax(logits)];
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        if (topP >= 1) {
            return pick(p, sum, null, p.length);
        }
        Integer[] order = new Integer[p.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double kept = 0;
        int n = 0;
        while (n < order.length && kept < topP * sum) {
            kept += p[order[n++]];
        }
        return pick(p, kept, order, n);
    }

    /** Draws from the first {@code n} tokens of {@code order} (all tokens when null), weighted by {@code p}. */
    private int pick(double[] p, double total, Integer[] order, int n) {
        double r = random.nextDouble() * total;
        int last = 0;
        for (int k = 0; k < n; k++) {
            last = order == null ? k : order[k];
            r -= p[last];
            if (r < 0) {
                return last;
            }
        }
        return last; // rounding left r >= 0 after the last token
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
