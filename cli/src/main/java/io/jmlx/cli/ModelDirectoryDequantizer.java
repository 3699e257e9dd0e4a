package io.jmlx.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.io.TensorInfo;
import io.jmlx.io.TensorSpec;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code jmlx dequantize} on a model directory, as mlx-lm's {@code dequantize_model}: every layer that mlx-lm would
 * load as quantized (its config entry, else the presence of {@code P.scales}) becomes a dense {@code P.weight} with
 * its own settings; scales and biases are dropped, other tensors and files carried over, and the config loses
 * {@code quantization} and {@code quantization_config}. Streams one tensor at a time into a new directory.
 */
final class ModelDirectoryDequantizer {
    private final ModelCheckpoint in;
    private final DType outType;

    /** @param outType the dense type, or {@code null} for MLX's default (the scales' type; bfloat16 for fp modes) */
    ModelDirectoryDequantizer(ModelCheckpoint in, DType outType) {
        this.in = in;
        this.outType = outType;
    }

    /** Writes the dense model to {@code output} and prints a line per layer and the totals. */
    void run(Path output, boolean replace, PrintWriter out, PrintWriter err, long start) throws IOException {
        Map<String, QuantizationSettings> layers = new LinkedHashMap<>();
        List<TensorSpec> specs = new ArrayList<>();
        TensorReport report = new TensorReport();
        for (String name : in.names()) {
            String layer = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
            Optional<QuantizationSettings> s = layer == null ? Optional.empty() : in.layerQuantization(layer);
            if (s.isPresent()) {
                TensorInfo w = in.info(name);
                TensorInfo scales = requireScales(layer, s.get());
                int[] shape = w.shape();
                shape[shape.length - 1] = Math.toIntExact(
                        (long) shape[shape.length - 1] * 32 / s.get().bits());
                DType type = outType != null ? outType : s.get().mode().isAffine() ? scales.dtype() : DType.BFLOAT16;
                specs.add(new TensorSpec(name, type, shape));
                layers.put(layer, s.get());
                long before = w.byteSize()
                        + scales.byteSize()
                        + (in.contains(layer + ".biases")
                                ? in.info(layer + ".biases").byteSize()
                                : 0);
                report.add(
                        "dequantized",
                        name,
                        Shape.format(w.shape()) + " " + s.get() + " -> " + Shape.format(shape) + " " + type,
                        before,
                        Shape.size(shape) * type.byteSize(),
                        null);
            } else if (!isQuantizationPart(name)) {
                TensorInfo t = in.info(name);
                specs.add(new TensorSpec(name, t.dtype(), t.shape()));
                report.add("copied", name, Shape.format(t.shape()) + " " + t.dtype(), t.byteSize(), t.byteSize(), null);
            }
        }

        ObjectNode config = in.config();
        config.remove("quantization");
        config.remove("quantization_config");
        Progress progress = new Progress(
                err,
                Progress.onTerminal(),
                "dequantizing",
                specs.stream().mapToLong(TensorSpec::byteSize).sum());
        CheckpointWriter.to(output)
                .replaceExisting(replace)
                .copyFiles(CarriedFiles.of(in.path()))
                .listener((spec, done, total) -> progress.update(done, spec.name()))
                .write(config, specs, spec -> data(spec, layers));
        progress.finish();

        out.println("jmlx dequantize: " + in.path() + " -> " + output + " (each layer with its settings from "
                + ModelCheckpoint.CONFIG_FILE + (outType == null ? "" : "; output " + outType) + ")");
        report.print(out);
        out.println("total: " + report.size() + " tensors (" + layers.size() + " dequantized, "
                + (report.size() - layers.size()) + " copied), " + JmlxSubcommand.bytes(report.bytesBefore()) + " -> "
                + JmlxSubcommand.bytes(report.bytesAfter()) + " in " + JmlxSubcommand.since(start));
        out.println("wrote " + output);
    }

    /** Scales and biases of a layer that is dequantized: dropped. */
    private boolean isQuantizationPart(String name) {
        for (String suffix : new String[] {".scales", ".biases"}) {
            if (name.endsWith(suffix)) {
                String layer = name.substring(0, name.length() - suffix.length());
                return in.contains(layer + ".weight")
                        && in.layerQuantization(layer).isPresent();
            }
        }
        return false;
    }

    private TensorInfo requireScales(String layer, QuantizationSettings s) {
        if (!in.contains(layer + ".scales")) {
            throw CommandFailure.failed(
                    ModelCheckpoint.CONFIG_FILE + " quantizes " + layer + " (" + s + ") but the " + "checkpoint has no "
                            + layer + ".scales",
                    null);
        }
        if (s.mode().isAffine() && !in.contains(layer + ".biases")) {
            throw CommandFailure.failed(
                    layer + " is affine (" + s + ") but the checkpoint has no " + layer + ".biases", null);
        }
        return in.info(layer + ".scales");
    }

    private MemorySegment data(TensorSpec spec, Map<String, QuantizationSettings> layers) {
        String layer = spec.name().substring(0, Math.max(0, spec.name().length() - ".weight".length()));
        QuantizationSettings s = spec.name().endsWith(".weight") ? layers.get(layer) : null;
        if (s == null) {
            return in.get(spec.name()).data();
        }
        try {
            QuantizedParts parts = new QuantizedParts(
                    in.get(spec.name()),
                    in.get(layer + ".scales"),
                    s.mode().isAffine() ? in.get(layer + ".biases") : null);
            Array dense = Jmlx.dequantize(parts, s, null, spec.dtype(), null);
            return dense.data();
        } catch (IllegalArgumentException | EvaluationException e) {
            throw CommandFailure.failed("cannot dequantize " + layer + " (" + s + "): " + e.getMessage(), e);
        }
    }
}
