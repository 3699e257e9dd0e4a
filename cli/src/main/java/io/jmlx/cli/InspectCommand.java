package io.jmlx.cli;

import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.io.TensorInfo;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.io.model.QuantizationConfig;
import io.jmlx.quant.QuantizationSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jmlx inspect}: what a checkpoint holds (tensors with dtype, shape and bytes), how it is quantized (the
 * config's settings and, per layer, what mlx-lm's load rule makes of it) and totals. Reads headers only.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        header = "List the tensors and quantization of a model directory or safetensors file.",
        versionProvider = JmlxCommand.Version.class,
        description = {
            "Prints every tensor (name, dtype, shape, bytes), the quantization settings of config.json, each "
                    + "layer's settings as mlx-lm would load it (a per-layer config entry, else the global "
                    + "settings when P.scales exists) and totals. A layer whose packed shape does not fit its "
                    + "settings is flagged. Only headers and config are read; nothing is written."
        },
        footerHeading = "%nExamples:%n",
        footer = {"  jmlx inspect Llama-3.2-1B-4bit", "  jmlx inspect model.safetensors"})
public final class InspectCommand extends JmlxSubcommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "A model directory or a safetensors file.")
    Path path;

    @Override
    int execute(PrintWriter out) throws Exception {
        requireExisting(path);
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(path)) {
            List<Path> files = ckpt.files();
            out.println(path + ": " + (ckpt.isDirectory() ? "model directory, " : "")
                    + ckpt.names().size() + " tensors in " + files.size() + " file" + (files.size() == 1 ? "" : "s"));

            TextTable tensors = new TextTable("tensor", "dtype", "shape", "bytes", files.size() > 1 ? "file" : "");
            for (String name : ckpt.names()) {
                TensorInfo t = ckpt.info(name);
                tensors.add(
                        name,
                        t.dtype().toString(),
                        Shape.format(t.shape()),
                        bytes(t.byteSize()),
                        files.size() > 1 ? ckpt.fileOf(name).getFileName().toString() : "");
            }
            tensors.print(out);

            Optional<QuantizationConfig> q = ckpt.quantization();
            out.println("quantization: " + q.map(c -> c.global().toString()).orElse("none in the config"));
            Map<String, Integer> perSetting = new TreeMap<>();
            TextTable layers = new TextTable("layer", "stored as", "source", "check");
            long logical = 0;
            long total = 0;
            for (String name : ckpt.names()) {
                total += ckpt.info(name).byteSize();
                if (!name.endsWith(".weight")) {
                    continue;
                }
                String layer = name.substring(0, name.length() - ".weight".length());
                TensorInfo w = ckpt.info(name);
                Optional<QuantizationSettings> s = ckpt.layerQuantization(layer);
                boolean override = q.isPresent() && q.get().layers().containsKey(layer);
                if (s.isEmpty()) {
                    logical += Shape.size(w.shape());
                    if (override) {
                        layers.add(layer, "dense", "config: false", check(ckpt, layer, null));
                    }
                    continue;
                }
                logical += w.dtype() == DType.UINT32
                        ? Shape.size(w.shape()) * 32 / s.get().bits()
                        : 0;
                perSetting.merge(s.get().toString(), 1, Integer::sum);
                layers.add(
                        layer, s.get().toString(), override ? "config entry" : "global", check(ckpt, layer, s.get()));
            }
            if (layers.size() > 0) {
                layers.print(out);
                perSetting.forEach((k, v) -> out.println("  " + v + " layer" + (v == 1 ? "" : "s") + ": " + k));
            }
            out.println(String.format(
                    Locale.ROOT,
                    "total: %d tensors, %s; %,d weights in .weight tensors%s",
                    ckpt.names().size(),
                    bytes(total),
                    logical,
                    logical == 0
                            ? ""
                            : String.format(Locale.ROOT, " (%.2f bits per weight overall)", total * 8.0 / logical)));
            return JmlxCommand.EXIT_OK;
        }
    }

    /** "ok", or what is wrong with a layer's tensors for the settings it would be loaded with. */
    private static String check(ModelCheckpoint ckpt, String layer, QuantizationSettings s) {
        boolean scales = ckpt.contains(layer + ".scales");
        if (s == null) {
            return scales ? "has " + layer + ".scales but the config says dense" : "ok";
        }
        if (!scales) {
            return "no " + layer + ".scales";
        }
        TensorInfo w = ckpt.info(layer + ".weight");
        TensorInfo sc = ckpt.info(layer + ".scales");
        int[] ws = w.shape();
        int[] ss = sc.shape();
        if (w.dtype() != DType.UINT32 || ws.length == 0 || ss.length != ws.length) {
            return "weight is " + w.dtype() + " " + Shape.format(ws) + ", scales " + Shape.format(ss);
        }
        long codes = (long) ws[ws.length - 1] * 32 / s.bits();
        long grouped = (long) ss[ss.length - 1] * s.groupSize();
        if (codes != grouped) {
            return "packed " + Shape.format(ws) + " holds " + codes + " codes per row but the scales "
                    + Shape.format(ss) + " cover " + grouped;
        }
        boolean biases = ckpt.contains(layer + ".biases");
        if (s.mode().isAffine() != biases) {
            return s.mode().isAffine() ? "affine without " + layer + ".biases" : s.mode() + " with biases";
        }
        return "ok";
    }
}
