package io.jmlx.models.llama;

import io.jmlx.Array;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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

    /** The documents of {@code text} (separated by blank lines) as {@link TokenWindows} of {@code maxLength}. */
    public static DecoderCalibration fromText(TextTokenizer tokenizer, String text, int maxLength) {
        return new DecoderCalibration(TokenWindows.of(tokenizer, text, maxLength));
    }

    /**
     * {@code count} sequences of {@code length} tokens: BOS, then what {@code llama} (the float model) writes when
     * sampled at temperature 1 ({@link Sampler}), sequence {@code i} seeded {@code seed + i}; the same sequences for
     * the same model and seed.
     */
    public static DecoderCalibration selfGenerated(Llama llama, int bos, int count, int length, long seed) {
        List<int[]> sequences = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] tokens = new int[length];
            tokens[0] = bos;
            Generation g = new Generation(llama, new int[] {bos}, length - 1, new Sampler(1, 1, seed + i), Set.of());
            for (int t = 1; t < length; t++) {
                tokens[t] = g.next();
            }
            sequences.add(tokens);
        }
        return new DecoderCalibration(sequences);
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
