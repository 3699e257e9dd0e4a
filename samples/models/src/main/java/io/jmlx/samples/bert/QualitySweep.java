package io.jmlx.samples.bert;

import io.jmlx.Array;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertEmbedder;
import io.jmlx.models.bert.EncoderCalibration;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.models.bert.Vectors;
import io.jmlx.nn.Embedding;
import io.jmlx.nn.Linear;
import io.jmlx.nn.ModelSaving;
import io.jmlx.nn.Quantization;
import io.jmlx.nn.QuantizeDecision;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.method.QuantizationMethod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What quantization does to a sentence encoder: for each setting, the model's Linear and Embedding layers are
 * quantized (round to nearest, as MLX) and the embeddings of a sentence set are compared with the float32 ones —
 * mean and minimum cosine, and how often each sentence's nearest neighbour stays the same — along with the
 * weights' size and the time to embed the set.
 */
public final class QualitySweep {
    /** One setting's results with one method ({@code settings == null}: the float32 model). */
    public record Row(
            QuantizationSettings settings,
            QuantizationMethod method,
            long weightBytes,
            double meanCosine,
            double minCosine,
            double neighbourAgreement,
            double millisPerSentence,
            double quantizeSeconds) {
        /** E.g. {@code 4-bit g64}, {@code mxfp4}, or {@code float32}. */
        public String label() {
            if (settings == null) {
                return "float32";
            }
            return settings.mode().isAffine()
                    ? settings.bits() + "-bit g" + settings.groupSize()
                    : settings.mode().mlxName();
        }
    }

    private QualitySweep() {}

    /** Every affine setting (bits 2–8 × group 32/64/128) and the three microscaling modes. */
    public static List<QuantizationSettings> allSettings() {
        List<QuantizationSettings> all = new ArrayList<>();
        for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
            for (int g : new int[] {32, 64, 128}) {
                all.add(new QuantizationSettings(g, bits, QuantizationMode.AFFINE));
            }
        }
        for (String mode : new String[] {"mxfp4", "mxfp8", "nvfp4"}) {
            all.add(QuantizationSettings.resolve(null, null, mode));
        }
        return all;
    }

    /**
     * Runs the sweep with round to nearest: the float32 row first, then one row per setting; {@code progress} hears
     * about each row as it is done.
     */
    public static List<Row> run(
            EncoderModel kind,
            ModelCheckpoint checkpoint,
            List<String> sentences,
            List<QuantizationSettings> settings,
            Consumer<Row> progress)
            throws IOException {
        return run(kind, checkpoint, sentences, settings, List.of(QuantizationMethod.RTN), List.of(), progress);
    }

    /**
     * Runs the sweep: the float32 row first, then one row per setting and method (methods that do not quantize a
     * setting's mode are left out of it); calibrated methods calibrate on {@code calibration}, which must not
     * overlap {@code sentences}. {@code progress} hears about each row as it is done.
     */
    public static List<Row> run(
            EncoderModel kind,
            ModelCheckpoint checkpoint,
            List<String> sentences,
            List<QuantizationSettings> settings,
            List<QuantizationMethod> methods,
            List<String> calibration,
            Consumer<Row> progress)
            throws IOException {
        BertEmbedder reference = BertEmbedder.load(kind, checkpoint);
        long start = System.nanoTime();
        List<float[]> exact = reference.embed(sentences);
        Row base = new Row(null, null, bytes(reference), 1, 1, 1, millisPerSentence(start, sentences.size()), 0);
        progress.accept(base);
        List<Row> rows = new ArrayList<>(List.of(base));
        EncoderCalibration calibrationRun =
                calibration.isEmpty() ? null : new EncoderCalibration(reference.tokenizer(), calibration);
        for (QuantizationSettings s : settings) {
            for (QuantizationMethod method : methods) {
                if (method != QuantizationMethod.RTN && !s.mode().isAffine()) {
                    continue;
                }
                BertEmbedder quantized = BertEmbedder.load(kind, checkpoint, reference.tokenizer());
                long q0 = System.nanoTime();
                quantize(quantized, s, method, calibrationRun);
                double quantizeSeconds = (System.nanoTime() - q0) / 1e9;
                long t = System.nanoTime();
                List<float[]> approx = quantized.embed(sentences);
                double elapsed = millisPerSentence(t, sentences.size());
                double sum = 0;
                double min = 1;
                int same = 0;
                for (int i = 0; i < exact.size(); i++) {
                    double c = Vectors.cosine(exact.get(i), approx.get(i));
                    sum += c;
                    min = Math.min(min, c);
                    same += Vectors.nearest(exact.get(i), exact, i) == Vectors.nearest(approx.get(i), approx, i)
                            ? 1
                            : 0;
                }
                Row row = new Row(
                        s,
                        method,
                        bytes(quantized),
                        sum / exact.size(),
                        min,
                        (double) same / exact.size(),
                        elapsed,
                        quantizeSeconds);
                progress.accept(row);
                rows.add(row);
            }
        }
        return rows;
    }

    /** Quantizes the embedder's Linear and Embedding layers in place with {@code s} (round to nearest). */
    public static void quantize(BertEmbedder embedder, QuantizationSettings s) {
        quantize(embedder, s, QuantizationMethod.RTN, null);
    }

    /** Quantizes the embedder's Linear and Embedding layers in place with {@code s} and {@code method}. */
    public static void quantize(
            BertEmbedder embedder, QuantizationSettings s, QuantizationMethod method, EncoderCalibration calibration) {
        Quantization.quantize(
                embedder.model(),
                s,
                (path, m) -> QuantizeDecision.of(m instanceof Linear || m instanceof Embedding),
                method,
                calibration);
    }

    /**
     * The encoder in {@code source} quantized with {@code s} and saved in MLX's layout to {@code dir} (replaced if
     * it holds a model already).
     */
    public static void saveQuantized(EncoderModel kind, ModelCheckpoint source, QuantizationSettings s, Path dir)
            throws IOException {
        BertEmbedder embedder = BertEmbedder.load(kind, source);
        quantize(embedder, s);
        ModelSaving.save(embedder.model(), null, s, CheckpointWriter.to(dir).replaceExisting(true));
    }

    private static long bytes(BertEmbedder e) {
        return e.model().parameters().values().stream().mapToLong(Array::nbytes).sum();
    }

    private static double millisPerSentence(long startNanos, int n) {
        return (System.nanoTime() - startNanos) / 1e6 / Math.max(1, n);
    }
}
