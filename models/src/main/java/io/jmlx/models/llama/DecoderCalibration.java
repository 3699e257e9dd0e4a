package io.jmlx.models.llama;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Calibration for a {@link Llama}: token sequences, each starting with BOS, run through the model in one
 * teacher-forced pass each. The sequences come from text ({@link #fromText}) or from the model itself
 * ({@link #selfGenerated}: what the float model writes when sampled, so that no dataset is needed).
 */
public final class DecoderCalibration implements Calibration {
    private final List<int[]> sequences;

    /** Calibration on {@code sequences} (token ids, each starting with BOS, none empty). */
    public DecoderCalibration(List<int[]> sequences) {
        if (sequences.isEmpty() || sequences.stream().anyMatch(s -> s.length == 0)) {
            throw new IllegalArgumentException("calibration needs at least one non-empty token sequence.");
        }
        this.sequences = List.copyOf(sequences);
    }

    /**
     * The documents of {@code text} (separated by blank lines), each tokenized after BOS and cut into windows of
     * at most {@code maxLength} tokens.
     */
    public static DecoderCalibration fromText(Llama2cTokenizer tokenizer, int bos, String text, int maxLength) {
        return new DecoderCalibration(TokenWindows.of(tokenizer, bos, text, maxLength));
    }

    /**
     * {@code count} sequences of {@code length} tokens that {@code llama} (the float model) writes after BOS when
     * sampled at temperature 1, sequence {@code i} with the random generator seeded {@code seed + i}: the same
     * sequences for the same model and seed.
     */
    public static DecoderCalibration selfGenerated(Llama llama, int bos, int count, int length, long seed) {
        List<int[]> sequences = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sequences.add(sample(llama, bos, length, new Random(seed + i)));
        }
        return new DecoderCalibration(sequences);
    }

    /** BOS and then {@code length - 1} tokens sampled from the model's distribution (temperature 1). */
    static int[] sample(Llama llama, int bos, int length, Random random) {
        int[] tokens = new int[length];
        tokens[0] = bos;
        KvCache cache = llama.newCache();
        int[] pending = {bos};
        for (int t = 1; t < length; t++) {
            Array logits = llama.logits(pending, cache);
            float[] p = Jmlx.softmax(logits.astype(DType.FLOAT32), -1).toFloatArray();
            double u = random.nextDouble();
            int next = p.length - 1;
            double cumulative = 0;
            for (int v = 0; v < p.length; v++) {
                cumulative += p[v];
                if (u < cumulative) {
                    next = v;
                    break;
                }
            }
            tokens[t] = next;
            pending = new int[] {next};
        }
        return tokens;
    }

    /** The sequences, in order. */
    public List<int[]> sequences() {
        return sequences;
    }

    @Override
    public int size() {
        return sequences.size();
    }

    @Override
    public Array run(Module model, int index) {
        if (!(model instanceof Llama llama)) {
            throw new IllegalArgumentException("DecoderCalibration runs a Llama but was given a "
                    + model.getClass().getName() + ".");
        }
        Array logits = llama.logits(sequences.get(index), llama.newCache());
        logits.data();
        return logits;
    }
}
