package io.jmlx.models.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.CalibratedModel;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.ModelLoading;
import io.jmlx.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@link CalibratedModel} for BERT encoders: a directory whose {@code config.json} says {@code model_type} "bert", or
 * an ONNX export of BERT whose sizes are those of a known {@link EncoderModel} (or which has a {@code config.json}
 * beside it). The tokenizer is the {@code tokenizer.json} beside the weights, else the known encoder's from the class
 * path.
 */
public final class BertModelLoader implements CalibratedModel {
    private final BertModel model;
    private final WordPieceTokenizer tokenizer;

    private BertModelLoader(BertModel model, WordPieceTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** The BERT encoder in {@code checkpoint}, or empty when it is not one. */
    public static Optional<CalibratedModel> load(ModelCheckpoint checkpoint) throws IOException {
        Path dir = checkpoint.isDirectory()
                ? checkpoint.path()
                : checkpoint.path().toAbsolutePath().getParent();
        JsonNode config = checkpoint.config();
        if (!checkpoint.isDirectory() && Files.isRegularFile(dir.resolve("config.json"))) {
            config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        }
        BertConfig sizes;
        EncoderModel known = null;
        if ("bert".equals(config.path("model_type").asText(""))) {
            sizes = BertConfig.from(config);
        } else if (checkpoint.contains("embeddings.word_embeddings.weight")) {
            known = known(checkpoint);
            if (known == null) {
                throw new IllegalArgumentException(checkpoint.path() + " holds a BERT encoder of sizes jmlx does not "
                        + "know; put its config.json (model_type \"bert\") beside it");
            }
            sizes = known.config();
        } else {
            return Optional.empty();
        }
        BertModel model = new BertModel(sizes);
        ModelLoading.load(checkpoint, model, name -> !name.endsWith("position_ids"));
        return Optional.of(new BertModelLoader(model, tokenizer(dir, known, sizes)));
    }

    /** The known encoder with the checkpoint's vocabulary, width and number of layers, or null. */
    private static EncoderModel known(ModelCheckpoint checkpoint) {
        int[] words = checkpoint.info("embeddings.word_embeddings.weight").shape();
        int layers = 0;
        while (checkpoint.contains("encoder.layer." + layers + ".attention.self.query.weight")) {
            layers++;
        }
        for (EncoderModel m : EncoderModel.values()) {
            BertConfig c = m.config();
            if (Arrays.equals(words, new int[] {c.vocabSize(), c.hidden()}) && layers == c.layers()) {
                return m;
            }
        }
        return null;
    }

    private static WordPieceTokenizer tokenizer(Path dir, EncoderModel known, BertConfig sizes) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            try (InputStream in = Files.newInputStream(json)) {
                return WordPieceTokenizer.read(in, sizes.maxPositions());
            }
        }
        if (known != null) {
            try (InputStream in = known.tokenizerJson()) {
                return WordPieceTokenizer.read(in, sizes.maxPositions());
            } catch (IllegalStateException e) {
                // not on the class path either
            }
        }
        return null;
    }

    @Override
    public String architecture() {
        return "bert";
    }

    @Override
    public Module module() {
        return model;
    }

    @Override
    public Calibration textCalibration(String text) {
        if (tokenizer == null) {
            throw new IllegalArgumentException("this BERT encoder has no tokenizer.json beside its weights, so it "
                    + "cannot read calibration text");
        }
        return new EncoderCalibration(
                tokenizer,
                text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
    }

    @Override
    public Calibration selfCalibration(long seed) {
        throw new IllegalArgumentException("a BERT encoder writes no text: give calibration sentences in a file");
    }
}
