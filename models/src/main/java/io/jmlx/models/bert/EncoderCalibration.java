package io.jmlx.models.bert;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.Module;
import java.util.List;

/**
 * Calibration for a {@link BertModel}: each sentence, tokenized as the embedder tokenizes it, run through the
 * encoder (one sentence at a time, as {@link BertEmbedder} runs them).
 */
public final class EncoderCalibration implements Calibration {
    private final List<int[]> inputs;

    /** Calibration on {@code sentences}, tokenized with {@code tokenizer}. */
    public EncoderCalibration(WordPieceTokenizer tokenizer, List<String> sentences) {
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one sentence but got none.");
        }
        this.inputs = sentences.stream().map(tokenizer::encode).toList();
    }

    /** Tokens the calibration runs through the model, over all sentences. */
    public long tokens() {
        return inputs.stream().mapToLong(ids -> ids.length).sum();
    }

    @Override
    public int size() {
        return inputs.size();
    }

    @Override
    public Array run(Module model, int index) {
        if (!(model instanceof BertModel bert)) {
            throw new IllegalArgumentException("EncoderCalibration runs a BertModel but was given a "
                    + model.getClass().getName() + ".");
        }
        int[] ids = inputs.get(index);
        Array states = bert.forward(Array.of(ids, DType.INT32, ids.length));
        states.data();
        return states;
    }
}
