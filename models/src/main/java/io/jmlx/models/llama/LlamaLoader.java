package io.jmlx.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.CalibratedModel;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.Module;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/** {@link CalibratedModel} for the Llama family, with the directory's tokenizer ({@link TextTokenizer#forModel}). */
public final class LlamaLoader implements CalibratedModel {
    /** Sequences the model writes for {@code --calibration self}. */
    public static final int SELF_SEQUENCES = 32;

    /** Tokens per self-written sequence (BOS included), at most the model's context. */
    public static final int SELF_LENGTH = 256;

    private final Llama llama;
    private final TextTokenizer tokenizer;
    private final int bos;
    private final int context;

    private LlamaLoader(Llama llama, TextTokenizer tokenizer, int bos, int context) {
        this.llama = llama;
        this.tokenizer = tokenizer;
        this.bos = bos;
        this.context = context;
    }

    /** The Llama in {@code checkpoint} when its config names the Llama family; empty otherwise. */
    public static Optional<CalibratedModel> load(ModelCheckpoint checkpoint) throws IOException {
        JsonNode config = checkpoint.config();
        if (!LlamaConfig.isLlamaFamily(config)) {
            return Optional.empty();
        }
        Llama llama = Llama.load(checkpoint);
        int bos = config.path("bos_token_id").asInt(1);
        TextTokenizer tokenizer = null;
        if (checkpoint.isDirectory()) {
            try {
                tokenizer = TextTokenizer.forModel(checkpoint.path(), null, config);
            } catch (NoSuchFileException e) {
                // no tokenizer: self-written calibration only
            }
        }
        int context = config.path("max_position_embeddings").asInt(2048);
        return Optional.of(new LlamaLoader(llama, tokenizer, bos, context));
    }

    @Override
    public String architecture() {
        return "llama";
    }

    @Override
    public Module module() {
        return llama;
    }

    @Override
    public Calibration textCalibration(String text) {
        if (tokenizer == null) {
            throw new IllegalArgumentException(
                    "this Llama has no tokenizer.json or tokenizer.bin beside its weights, so "
                            + "it cannot read calibration text; use self-written calibration instead");
        }
        return DecoderCalibration.fromText(tokenizer, text, context);
    }

    @Override
    public Calibration selfCalibration(long seed) {
        return DecoderCalibration.selfGenerated(llama, bos, SELF_SEQUENCES, Math.min(SELF_LENGTH, context), seed);
    }
}
