package io.jmlx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.io.TensorInfo;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.io.model.QuantizationConfig;
import io.jmlx.quant.QuantizationSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jmlx inspect}: what a checkpoint holds (tensors with dtype, shape and bytes), how it is quantized (the
 * config's settings and, per layer, what mlx-lm's load rule makes of it) and totals, as tables or, with
 * {@code --json}, as one JSON object. Reads headers only.
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
                    + "settings is flagged. Only headers and config are read; nothing is written.",
            "",
            "--json prints one object: path, directory, files, tensors [{name, dtype, shape, bytes, file}], "
                    + "quantization (the config's {group_size, bits, mode} or null), layers [{path, quantization "
                    + "(null: dense), source, check}] and totals {tensors, bytes, weights, bits_per_weight, "
                    + "layers_by_setting}."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx inspect Llama-3.2-1B-4bit",
            "  jmlx inspect model.safetensors",
            "  jmlx inspect --json Llama-3.2-1B-4bit | jq '.totals'"
        })
public final class InspectCommand extends JmlxSubcommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "A model directory or a safetensors file.")
    Path path;

    @Option(
            names = "--json",
            description = "Print the same as one JSON object (tensors, quantization, layers, totals) for scripts.")
    boolean json;

    /** How one layer ({@code P.weight}) is stored, as mlx-lm would load it. */
    private record LayerRow(String path, QuantizationSettings settings, String source, String check) {}

    /** What inspect found: the config's settings, the layers, their count per setting, bytes and weights. */
    private record Found(
            Optional<QuantizationConfig> quantization,
            List<LayerRow> layers,
            Map<String, Integer> perSetting,
            long bytes,
            long weights) {}

    @Override
    int execute(PrintWriter out) throws Exception {
        requireExisting(path);
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(path)) {
            Optional<QuantizationConfig> q = ckpt.quantization();
            List<LayerRow> layers = new ArrayList<>();
            Map<String, Integer> perSetting = new TreeMap<>();
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
                        layers.add(new LayerRow(layer, null, "config: false", check(ckpt, layer, null)));
                    }
                    continue;
                }
                logical += w.dtype() == DType.UINT32
                        ? Shape.size(w.shape()) * 32 / s.get().bits()
                        : 0;
                perSetting.merge(s.get().toString(), 1, Integer::sum);
                layers.add(new LayerRow(
                        layer, s.get(), override ? "config entry" : "global", check(ckpt, layer, s.get())));
            }
            Found found = new Found(q, layers, perSetting, total, logical);
            if (json) {
                out.println(
                        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(ckpt, found)));
            } else {
                print(out, ckpt, found);
            }
            return JmlxCommand.EXIT_OK;
        }
    }

    private void print(PrintWriter out, ModelCheckpoint ckpt, Found found) {
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
        out.println("quantization: "
                + found.quantization().map(c -> c.global().toString()).orElse("none in the config"));
        if (!found.layers().isEmpty()) {
            TextTable table = new TextTable("layer", "stored as", "source", "check");
            for (LayerRow l : found.layers()) {
                table.add(
                        l.path(), l.settings() == null ? "dense" : l.settings().toString(), l.source(), l.check());
            }
            table.print(out);
            found.perSetting().forEach((k, v) -> out.println("  " + v + " layer" + (v == 1 ? "" : "s") + ": " + k));
        }
        out.println(String.format(
                Locale.ROOT,
                "total: %d tensors, %s; %,d weights in .weight tensors%s",
                ckpt.names().size(),
                bytes(found.bytes()),
                found.weights(),
                found.weights() == 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " (%.2f bits per weight overall)",
                                bitsPerWeight(found.bytes(), found.weights()))));
    }

    private ObjectNode toJson(ModelCheckpoint ckpt, Found found) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("path", path.toString()).put("directory", ckpt.isDirectory());
        ArrayNode files = root.putArray("files");
        ckpt.files().forEach(f -> files.add(f.getFileName().toString()));
        ArrayNode tensors = root.putArray("tensors");
        for (String name : ckpt.names()) {
            TensorInfo t = ckpt.info(name);
            ObjectNode n =
                    tensors.addObject().put("name", name).put("dtype", t.dtype().toString());
            ArrayNode shape = n.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            n.put("bytes", t.byteSize())
                    .put("file", ckpt.fileOf(name).getFileName().toString());
        }
        root.set(
                "quantization",
                found.quantization().map(c -> (JsonNode) settings(c.global())).orElse(NullNode.instance));
        ArrayNode layerArray = root.putArray("layers");
        for (LayerRow l : found.layers()) {
            ObjectNode n = layerArray.addObject().put("path", l.path());
            n.set("quantization", l.settings() == null ? NullNode.instance : settings(l.settings()));
            n.put("source", l.source()).put("check", l.check());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("tensors", ckpt.names().size()).put("bytes", found.bytes()).put("weights", found.weights());
        if (found.weights() > 0) {
            totals.put("bits_per_weight", bitsPerWeight(found.bytes(), found.weights()));
        }
        ObjectNode counts = totals.putObject("layers_by_setting");
        found.perSetting().forEach(counts::put);
        return root;
    }

    /** {@code {"group_size": 64, "bits": 4, "mode": "affine"}}, as in config.json. */
    private static ObjectNode settings(QuantizationSettings s) {
        return QuantizationConfig.of(s).toJson();
    }

    private static double bitsPerWeight(long bytes, long weights) {
        return bytes * 8.0 / weights;
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
