package io.jmlx.samples.report;

import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.method.QuantizationMethod;
import io.jmlx.samples.DeviceArgument;
import io.jmlx.samples.Sentences;
import io.jmlx.samples.bert.QualitySweep;
import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The README's main job: the MiniLM (or BGE) sentence encoder from its Maven Central jar, quantized in every MLX setting and
 * compared with float32 (cosine, nearest-neighbour agreement, size, speed), written as an HTML report with a chart,
 * plus the 4-bit model in MLX's layout. Usage:
 * {@code QuantizationReport [OUTPUT_DIR] [COUNT] [--model minilm|bge] [--sentences FILE] [--methods rtn,mse,gptq] [--settings B:G,...]
 * [--bits-per-weight X,...] [--calibration FILE] [--device cpu|gpu]}.
 */
public final class QuantizationReport {
    private QuantizationReport() {}

    /** Sentences embedded per setting by default: the varied ones and eight topics, enough to judge retrieval. */
    static final int DEFAULT_SENTENCES = 160;

    static final String USAGE = """
            usage: ./report [OUTPUT_DIR] [COUNT] [options]
              OUTPUT_DIR               where to write (default: minilm-report)
              COUNT                    evaluate on the first COUNT sentences (default: 160 built-in ones, or
                                       every sentence of --sentences FILE)
              --model NAME             minilm (default) or bge
              --sentences FILE         evaluate on FILE instead of the built-in sentences (one sentence a line)
              --methods LIST           methods to compare, e.g. rtn,mse,gptq (default: rtn)
              --settings LIST          settings as BITS:GROUP, e.g. 4:64,3:64 (default: every affine setting and the
                                       microscaling modes)
              --bits-per-weight LIST   also a mixed-precision budget per value and method, e.g. 4.5
              --calibration FILE       calibration sentences for calibrated methods and budgets (default: the
                                       built-in calibration set, which shares no sentence with the built-in ones);
                                       must share no sentence with the evaluation ones
              --device DEVICE          where the model runs: cpu (default) or gpu (the Vulkan GPU)
            """;

    /** The parsed command line. */
    record Options(
            EncoderModel model,
            Path out,
            List<String> sentences,
            List<QuantizationMethod> methods,
            List<QuantizationSettings> settings,
            List<Double> budgets,
            List<String> calibration,
            Device device) {

        /** The options, or {@code null} when help was asked for. */
        static Options parse(String[] arguments) throws IOException {
            DeviceArgument device = DeviceArgument.of(arguments);
            String[] args = device.rest().toArray(String[]::new);
            List<String> positional = new ArrayList<>();
            EncoderModel model = EncoderModel.MINILM;
            List<String> sentences = null;
            List<QuantizationMethod> methods = List.of(QuantizationMethod.RTN);
            List<QuantizationSettings> settings = QualitySweep.allSettings();
            List<Double> budgets = List.of();
            List<String> calibration = Sentences.calibration();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    return null;
                }
                if (!a.startsWith("--")) {
                    positional.add(a);
                    continue;
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--model" ->
                        model = switch (v) {
                            case "minilm" -> EncoderModel.MINILM;
                            case "bge" -> EncoderModel.BGE_SMALL;
                            default -> throw new IllegalArgumentException("--model is minilm or bge, not " + v);
                        };
                    case "--sentences" -> sentences = lines(Path.of(v));
                    case "--methods" ->
                        methods = Arrays.stream(v.split(","))
                                .map(QuantizationMethod::parse)
                                .toList();
                    case "--settings" ->
                        settings = Arrays.stream(v.split(","))
                                .map(Options::setting)
                                .toList();
                    case "--bits-per-weight" ->
                        budgets =
                                Arrays.stream(v.split(",")).map(Double::valueOf).toList();
                    case "--calibration" -> calibration = lines(Path.of(v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (positional.size() > 2) {
                throw new IllegalArgumentException("unexpected argument " + positional.get(2));
            }
            if (sentences == null || positional.size() > 1) {
                List<String> all = sentences == null ? Sentences.all() : sentences;
                int count = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : DEFAULT_SENTENCES;
                sentences = all.subList(0, Math.min(count, all.size()));
            }
            String name = model == EncoderModel.MINILM ? "minilm" : "bge";
            Path out = Path.of(positional.isEmpty() ? name + "-report" : positional.getFirst())
                    .toAbsolutePath();
            return new Options(model, out, sentences, methods, settings, budgets, calibration, device.device());
        }

        private static QuantizationSettings setting(String text) {
            String[] p = text.split(":");
            if (p.length == 1) {
                return QuantizationSettings.resolve(null, null, text);
            }
            return new QuantizationSettings(Integer.parseInt(p[1]), Integer.parseInt(p[0]), QuantizationMode.AFFINE);
        }

        private static List<String> lines(Path file) throws IOException {
            List<String> out = Files.readAllLines(file).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .toList();
            if (out.isEmpty()) {
                throw new IllegalArgumentException(file + " has no sentence");
            }
            return out;
        }
    }

    /** Runs the report; see {@link #USAGE}. */
    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        Options o;
        try {
            o = Options.parse(args);
            if (o == null) {
                System.out.print(USAGE);
                return;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("report: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        try (Stream.Scope scope = Stream.use(o.device())) {
            run(o, start);
        }
    }

    private static void run(Options o, long start) throws IOException {
        EncoderModel kind = o.model();
        String title = kind == EncoderModel.MINILM ? "all-MiniLM-L6-v2" : "bge-small-en-v1.5";
        Files.createDirectories(o.out());
        List<QualitySweep.Variant> variants = QualitySweep.variants(o.settings(), o.methods(), o.budgets());
        boolean calibrated = !o.budgets().isEmpty()
                || o.methods().stream().anyMatch(m -> m.kind() == QuantizationMethod.Kind.CALIBRATED);
        System.out.printf(
                "jmlx report: %s from Maven Central, %d variants on %d sentences%s on %s -> %s%n",
                kind,
                variants.size(),
                o.sentences().size(),
                calibrated ? " (calibrated on " + o.calibration().size() + " other sentences)" : "",
                o.device().name(),
                o.out());
        try (ModelCheckpoint onnx = ModelCheckpoint.open(kind.onnxFile(o.out().resolve(".cache")))) {
            int[] done = {0};
            List<QualitySweep.Row> rows = QualitySweep.run(
                    kind, onnx, o.sentences(), variants, calibrated ? o.calibration() : List.of(), row -> {
                        done[0]++;
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        System.out.printf(
                                Locale.ROOT,
                                "[%2d/%d] %-10s %-5s %7.2f MB  mean cos %.5f  min %.5f  same neighbour %5.1f%%  "
                                        + "quantized in %.1f s  %.1f ms/sentence  (%.0f s, ETA %.0f s)%n",
                                done[0],
                                variants.size() + 1,
                                row.label(),
                                row.method() == null ? "" : row.method(),
                                row.weightBytes() / 1e6,
                                row.meanCosine(),
                                row.minCosine(),
                                100 * row.neighbourAgreement(),
                                row.quantizeSeconds(),
                                row.millisPerSentence(),
                                elapsed,
                                elapsed / done[0] * (variants.size() + 1 - done[0]));
                    });

            QuantizationSettings s = QuantizationSettings.resolve(64, 4, "affine");
            Path model = o.out().resolve(kind == EncoderModel.MINILM ? "minilm-4bit" : "bge-4bit");
            QualitySweep.saveQuantized(kind, onnx, s, model);

            QualitySweep.Row base = rows.getFirst();
            String summary = String.format(
                    Locale.ROOT,
                    "%s (ONNX from Maven Central) on %d sentences, on %s. float32: %.1f MB of weights, %.2f ms "
                            + "per sentence.",
                    title,
                    o.sentences().size(),
                    o.device().name(),
                    base.weightBytes() / 1e6,
                    base.millisPerSentence());
            for (QualitySweep.Row chosen : rows) {
                if (s.equals(chosen.settings())) {
                    summary += String.format(
                            Locale.ROOT,
                            " 4-bit g64 %s: %.1f MB (%.1fx smaller), mean cosine %.4f, same nearest neighbour for "
                                    + "%.1f%% of the sentences, %.2f ms per sentence.",
                            chosen.method(),
                            chosen.weightBytes() / 1e6,
                            (double) base.weightBytes() / chosen.weightBytes(),
                            chosen.meanCosine(),
                            100 * chosen.neighbourAgreement(),
                            chosen.millisPerSentence());
                }
            }
            summary += " The 4-bit model (rtn) in MLX's layout: " + model + ".";
            byte[] chart = ReportPage.chartPng(title, rows);
            Files.write(o.out().resolve("chart.png"), chart);
            Files.writeString(o.out().resolve("index.html"), ReportPage.html(title, rows, chart, summary));
            System.out.println(summary);
            System.out.printf(
                    Locale.ROOT,
                    "wrote %s and %s in %.1f s%n",
                    o.out().resolve("index.html"),
                    model,
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
