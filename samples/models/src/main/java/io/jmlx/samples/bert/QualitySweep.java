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
import io.jmlx.nn.MixedPrecision;
import io.jmlx.nn.ModelSaving;
import io.jmlx.nn.Quantization;
import io.jmlx.nn.QuantizeDecision;
import io.jmlx.nn.QuantizePredicate;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.method.BitBudget;
import io.jmlx.quant.method.QuantizationMethod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What quantization does to a sentence encoder: for each variant (a setting, or a bits-per-weight budget, with a
 * method), the model's Linear and Embedding layers are quantized and the embeddings of a sentence set are compared
 * with the float32 ones — mean and minimum cosine, and how often each sentence's nearest neighbour stays the same —
 * along with the weights' size, the time to quantize and the time to embed the set.
 */
public final class QualitySweep {
    /** Every Linear and Embedding layer: what the sweep quantizes. */
    private static final QuantizePredicate LAYERS =
            (path, m) -> QuantizeDecision.of(m instanceof Linear || m instanceof Embedding);

    /**
     * How one row is quantized: a setting, or ({@code settings == null}) a budget of bits per weight, with a method.
     *
     * @param settings      every layer's settings, or {@code null} for a budget
     * @param bitsPerWeight the budget ({@link MixedPrecision}), or {@code null} for a setting
     * @param method        how codes, scales and biases are chosen
     */
    public record Variant(QuantizationSettings settings, Double bitsPerWeight, QuantizationMethod method) {
        /** One setting with one method. */
        public static Variant of(QuantizationSettings settings, QuantizationMethod method) {
            return new Variant(settings, null, method);
        }

        /** A budget with one method. */
        public static Variant budget(double bitsPerWeight, QuantizationMethod method) {
            return new Variant(null, bitsPerWeight, method);
        }

        /** E.g. {@code 4-bit g64}, {@code mxfp4} or {@code 4.50 bpw}. */
        public String label() {
            if (settings == null) {
                return String.format(Locale.ROOT, "%.2f bpw", bitsPerWeight);
            }
            return settings.mode().isAffine()
                    ? settings.bits() + "-bit g" + settings.groupSize()
                    : settings.mode().mlxName();
        }
    }

    /** One variant's results ({@code variant == null}: the float32 model). */
    public record Row(
            Variant variant,
            long weightBytes,
            double meanCosine,
            double minCosine,
            double neighbourAgreement,
            double millisPerSentence,
            double quantizeSeconds) {
        /** The variant's setting ({@code null} for float32 and budgets). */
        public QuantizationSettings settings() {
            return variant == null ? null : variant.settings();
        }

        /** The variant's method ({@code null} for float32). */
        public QuantizationMethod method() {
            return variant == null ? null : variant.method();
        }

        /** E.g. {@code 4-bit g64}, {@code mxfp4}, {@code 4.50 bpw} or {@code float32}. */
        public String label() {
            return variant == null ? "float32" : variant.label();
        }
    }

    private QualitySweep() {}

    /** Every affine setting (bits 2–8 × group 32/64/128) and the three microscaling modes. */
    public static List<QuantizationSettings> allSettings() {
        List<QuantizationSettings> all = new ArrayList<>(BitBudget.CANDIDATES);
        for (String mode : new String[] {"mxfp4", "mxfp8", "nvfp4"}) {
            all.add(QuantizationSettings.resolve(null, null, mode));
        }
        return all;
    }

    /**
     * The variants of {@code settings} × {@code methods} (methods other than rtn only for affine settings), then a
     * budget per method for each of {@code budgets}.
     */
    public static List<Variant> variants(
            List<QuantizationSettings> settings, List<QuantizationMethod> methods, List<Double> budgets) {
        List<Variant> out = new ArrayList<>();
        for (QuantizationSettings s : settings) {
            for (QuantizationMethod m : methods) {
                if (m == QuantizationMethod.RTN || s.mode().isAffine()) {
                    out.add(Variant.of(s, m));
                }
            }
        }
        for (double b : budgets) {
            methods.forEach(m -> out.add(Variant.budget(b, m)));
        }
        return out;
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
        return run(
                kind,
                checkpoint,
                sentences,
                variants(settings, List.of(QuantizationMethod.RTN), List.of()),
                List.of(),
                progress);
    }

    /**
     * Runs the sweep: the float32 row first, then one row per variant. Calibrated methods and budgets calibrate on
     * {@code calibration}, which must share no sentence with {@code sentences}.
     *
     * @throws IllegalArgumentException if a sentence is in both sets, or a variant needs calibration and there is none
     */
    public static List<Row> run(
            EncoderModel kind,
            ModelCheckpoint checkpoint,
            List<String> sentences,
            List<Variant> variants,
            List<String> calibration,
            Consumer<Row> progress)
            throws IOException {
        List<String> shared =
                calibration.stream().filter(sentences::contains).limit(3).toList();
        if (!shared.isEmpty()) {
            throw new IllegalArgumentException("calibration and evaluation sentences must not overlap, but both have "
                    + shared.stream().map(s -> "'" + s + "'").toList());
        }
        BertEmbedder reference = BertEmbedder.load(kind, checkpoint);
        long start = System.nanoTime();
        List<float[]> exact = reference.embed(sentences);
        Row base = new Row(null, bytes(reference), 1, 1, 1, millisPerSentence(start, sentences.size()), 0);
        progress.accept(base);
        List<Row> rows = new ArrayList<>(List.of(base));
        EncoderCalibration inputs =
                calibration.isEmpty() ? null : new EncoderCalibration(reference.tokenizer(), calibration);
        for (Variant v : variants) {
            BertEmbedder quantized = BertEmbedder.load(kind, checkpoint, reference.tokenizer());
            long q0 = System.nanoTime();
            quantize(quantized, v, inputs);
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
                same += Vectors.nearest(exact.get(i), exact, i) == Vectors.nearest(approx.get(i), approx, i) ? 1 : 0;
            }
            Row row = new Row(
                    v,
                    bytes(quantized),
                    sum / exact.size(),
                    min,
                    (double) same / exact.size(),
                    elapsed,
                    quantizeSeconds);
            progress.accept(row);
            rows.add(row);
        }
        return rows;
    }

    /** Quantizes the embedder's Linear and Embedding layers in place with {@code s} (round to nearest). */
    public static void quantize(BertEmbedder embedder, QuantizationSettings s) {
        quantize(embedder, Variant.of(s, QuantizationMethod.RTN), null);
    }

    /**
     * Quantizes the embedder's Linear and Embedding layers in place as {@code v} says; {@code calibration} is needed
     * by calibrated methods, and measures the layers' sensitivity for a budget when given.
     */
    public static void quantize(BertEmbedder embedder, Variant v, EncoderCalibration calibration) {
        QuantizePredicate layers = LAYERS;
        QuantizationSettings settings = v.settings();
        if (settings == null) {
            layers = MixedPrecision.plan(embedder.model(), LAYERS, v.bitsPerWeight(), calibration)
                    .predicate();
            settings = QuantizationSettings.DEFAULT;
        }
        Quantization.quantize(embedder.model(), settings, layers, v.method(), calibration);
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
