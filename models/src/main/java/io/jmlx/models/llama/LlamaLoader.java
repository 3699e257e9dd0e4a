package io.jmlx.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.CalibratedModel;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** {@link CalibratedModel} for the Llama family, with llama2.c's {@code tokenizer.bin} when the directory has one. */
public final class LlamaLoader implements CalibratedModel {
    /** Sequences the model writes for {@code --calibration self}. */
    public static final int SELF_SEQUENCES = 32;

    /** Tokens per self-written sequence (BOS included), at most the model's context. */
    public static final int SELF_LENGTH = 256;

    private final Llama llama;
    private final Llama2cTokenizer tokenizer;
    private final int bos;
    private final int context;

    private LlamaLoader(Llama llama, Llama2cTokenizer tokenizer, int bos, int context) {
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
        Llama2cTokenizer tokenizer = null;
        Path bin = checkpoint.path().resolve("tokenizer.bin");
        if (checkpoint.isDirectory() && Files.isRegularFile(bin)) {
            try (InputStream in = Files.newInputStream(bin)) {
                tokenizer = Llama2cTokenizer.read(in, llama.config().vocabSize(), bos);
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
            throw new IllegalArgumentException("this Llama has no tokenizer.bin (llama2.c's tokenizer, the one jmlx "
                    + "reads), so it cannot read calibration text; use self-written calibration instead");
        }
        return DecoderCalibration.fromText(tokenizer, bos, text, context);
    }

    @Override
    public Calibration selfCalibration(long seed) {
        return DecoderCalibration.selfGenerated(llama, bos, SELF_SEQUENCES, Math.min(SELF_LENGTH, context), seed);
    }
}
