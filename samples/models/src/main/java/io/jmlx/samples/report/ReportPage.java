package io.jmlx.samples.report;

import io.jmlx.samples.bert.QualitySweep;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The HTML page of the quantization report: a chart of quality (mean cosine to float32) against weight size, and the
 * full table. With one method the chart has one series per group size plus the microscaling modes; with several,
 * one curve per method (its affine group-size-64 settings) plus its budgets as points. Self-contained (the chart is
 * an embedded PNG rendered with XChart).
 */
final class ReportPage {
    private ReportPage() {}

    /** The chart alone, as PNG bytes: the quantized settings, float32 named in the title. */
    static byte[] chartPng(String model, List<QualitySweep.Row> rows) throws IOException {
        QualitySweep.Row base =
                rows.stream().filter(r -> r.settings() == null).findFirst().orElseThrow();
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(520)
                .title(String.format(
                        Locale.ROOT, "%s: quality against size (float32: %.1f MB)", model, base.weightBytes() / 1e6))
                .xAxisTitle("weights (MB)")
                .yAxisTitle("mean cosine to float32")
                .build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(8);
        boolean byMethod = rows.stream()
                        .map(QualitySweep.Row::method)
                        .filter(java.util.Objects::nonNull)
                        .distinct()
                        .count()
                > 1;
        Map<String, List<QualitySweep.Row>> series = new LinkedHashMap<>();
        for (QualitySweep.Row r : rows) {
            if (r.method() == null) {
                continue; // float32 is in the title: at 6x the 4-bit size it would squeeze the other points together
            }
            String name;
            if (r.settings() == null) {
                name = r.method() + " budgets";
            } else if (!r.settings().mode().isAffine()) {
                name = "mxfp4, nvfp4, mxfp8";
            } else if (byMethod) {
                if (r.settings().groupSize() != 64) {
                    continue;
                }
                name = r.method() + " g64";
            } else {
                name = "affine g" + r.settings().groupSize();
            }
            series.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(r);
        }
        series.forEach((name, points) -> {
            double[] x = points.stream().mapToDouble(r -> r.weightBytes() / 1e6).toArray();
            double[] y =
                    points.stream().mapToDouble(QualitySweep.Row::meanCosine).toArray();
            XYSeries s = chart.addSeries(name, x, y);
            s.setMarker(SeriesMarkers.CIRCLE);
            boolean curve = name.startsWith("affine") || name.endsWith(" g64");
            s.setXYSeriesRenderStyle(curve ? XYSeries.XYSeriesRenderStyle.Line : XYSeries.XYSeriesRenderStyle.Scatter);
        });
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** The whole page. */
    static String html(String model, List<QualitySweep.Row> rows, byte[] chart, String summary) {
        StringBuilder t = new StringBuilder();
        for (QualitySweep.Row r : rows) {
            t.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%s</td><td>%s</td><td>%.2f</td><td>%.5f</td><td>%.5f</td><td>%.1f%%</td><td>%.1f</td>"
                            + "<td>%.2f</td></tr>%n",
                    r.label(),
                    r.method() == null ? "" : r.method(),
                    r.weightBytes() / 1e6,
                    r.meanCosine(),
                    r.minCosine(),
                    100 * r.neighbourAgreement(),
                    r.quantizeSeconds(),
                    r.millisPerSentence()));
        }
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>jmlx quantization report: %s</title>
                <style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}
                td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child{text-align:left}</style>
                </head><body>
                <h1>Quantizing %s with jmlx</h1>
                <p>%s</p>
                <img alt="quality against size" src="data:image/png;base64,%s">
                <table><tr><th>setting</th><th>method</th><th>weights (MB)</th><th>mean cosine</th><th>min cosine</th>
                <th>same nearest neighbour</th><th>quantized in (s)</th><th>ms per sentence</th></tr>
                %s</table>
                </body></html>
                """.formatted(model, model, summary, Base64.getEncoder().encodeToString(chart), t);
    }
}
