package io.jmlx.models;

import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertModelLoader;
import io.jmlx.models.llama.LlamaLoader;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.Module;
import java.io.IOException;
import java.util.Optional;

/**
 * A model from a checkpoint, built as the architecture its {@code config.json} names, ready to be run on calibration
 * inputs: what {@code jmlx convert} needs for calibrated methods and measured mixed precision. Known: the Llama
 * family ({@code model_type} {@code llama}, {@code mistral}) and BERT encoders ({@code bert}, or a BERT ONNX export).
 */
public interface CalibratedModel {
    /** The architecture, e.g. {@code llama} or {@code bert}. */
    String architecture();

    /** The model with the checkpoint's weights (views of the mapped files: keep the checkpoint open). */
    Module module();

    /**
     * Calibration on {@code text}: decoders read documents separated by blank lines, encoders one sentence a line.
     *
     * @throws IllegalArgumentException if the model has no tokenizer jmlx reads, or the text is empty
     */
    Calibration textCalibration(String text);

    /**
     * Calibration on text the float model writes itself, sampled with {@code seed}.
     *
     * @throws IllegalArgumentException for an encoder, which writes no text
     */
    Calibration selfCalibration(long seed);

    /**
     * The model in {@code checkpoint}, or empty when jmlx-models does not know its architecture.
     *
     * @throws IOException              if a tokenizer file cannot be read
     * @throws IllegalArgumentException if the config names a known architecture but does not fit it
     */
    static Optional<CalibratedModel> load(ModelCheckpoint checkpoint) throws IOException {
        Optional<CalibratedModel> llama = LlamaLoader.load(checkpoint);
        return llama.isPresent() ? llama : BertModelLoader.load(checkpoint);
    }
}
