package io.jmlx.samples.report;

import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.samples.Sentences;
import io.jmlx.samples.bert.QualitySweep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The README's main job: the MiniLM sentence encoder from its Maven Central jar, quantized in every MLX setting and
 * compared with float32 (cosine, nearest-neighbour agreement, size, speed), written as an HTML report with a chart,
 * plus the 4-bit model in MLX's layout. Usage: {@code QuantizationReport [OUTPUT_DIR] [SENTENCES]}.
 */
public final class QuantizationReport {
    private QuantizationReport() {}

    /** Sentences embedded per setting by default: the varied ones and eight topics, enough to judge retrieval. */
    static final int DEFAULT_SENTENCES = 160;

    /**
     * Runs the report into {@code args[0]} (default {@code minilm-report}) on the first {@code args[1]} built-in
     * sentences (default {@value #DEFAULT_SENTENCES}).
     */
    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        Path out = Path.of(args.length > 0 ? args[0] : "minilm-report").toAbsolutePath();
        List<String> all = Sentences.all();
        int count = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_SENTENCES;
        List<String> sentences = all.subList(0, Math.min(count, all.size()));
        EncoderModel kind = EncoderModel.MINILM;
        Files.createDirectories(out);
        List<QuantizationSettings> settings = QualitySweep.allSettings();
        System.out.printf(
                "jmlx report: %s from Maven Central, %d settings on %d sentences -> %s%n",
                kind, settings.size(), sentences.size(), out);
        try (ModelCheckpoint onnx = ModelCheckpoint.open(kind.onnxFile(out.resolve(".cache")))) {
            int[] done = {0};
            List<QualitySweep.Row> rows = QualitySweep.run(kind, onnx, sentences, settings, row -> {
                done[0]++;
                double elapsed = (System.nanoTime() - start) / 1e9;
                System.out.printf(
                        Locale.ROOT,
                        "[%2d/%d] %-10s %7.2f MB  mean cos %.5f  min %.5f  same neighbour "
                                + "%5.1f%%  %.1f ms/sentence  (%.0f s, ETA %.0f s)%n",
                        done[0],
                        settings.size() + 1,
                        row.label(),
                        row.weightBytes() / 1e6,
                        row.meanCosine(),
                        row.minCosine(),
                        100 * row.neighbourAgreement(),
                        row.millisPerSentence(),
                        elapsed,
                        elapsed / done[0] * (settings.size() + 1 - done[0]));
            });

            QuantizationSettings s = QuantizationSettings.resolve(64, 4, "affine");
            Path model = out.resolve("minilm-4bit");
            QualitySweep.saveQuantized(kind, onnx, s, model);

            QualitySweep.Row base = rows.getFirst();
            QualitySweep.Row chosen = rows.stream()
                    .filter(r -> s.equals(r.settings()))
                    .findFirst()
                    .orElseThrow();
            String summary = String.format(
                    Locale.ROOT,
                    "all-MiniLM-L6-v2 (ONNX from Maven Central) on %d sentences. "
                            + "float32: %.1f MB of weights, %.2f ms per sentence. 4-bit g64: %.1f MB (%.1fx smaller), "
                            + "mean cosine %.4f, same nearest neighbour for %.1f%% of the sentences, %.2f ms per "
                            + "sentence. The 4-bit model in MLX's layout: %s.",
                    sentences.size(),
                    base.weightBytes() / 1e6,
                    base.millisPerSentence(),
                    chosen.weightBytes() / 1e6,
                    (double) base.weightBytes() / chosen.weightBytes(),
                    chosen.meanCosine(),
                    100 * chosen.neighbourAgreement(),
                    chosen.millisPerSentence(),
                    model);
            byte[] chart = ReportPage.chartPng("all-MiniLM-L6-v2", rows);
            Files.write(out.resolve("chart.png"), chart);
            Files.writeString(out.resolve("index.html"), ReportPage.html("all-MiniLM-L6-v2", rows, chart, summary));
            System.out.println(summary);
            System.out.printf(
                    Locale.ROOT,
                    "wrote %s and %s in %.1f s%n",
                    out.resolve("index.html"),
                    model,
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
