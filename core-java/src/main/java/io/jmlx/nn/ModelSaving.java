package io.jmlx.nn;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.QuantizationConfig;
import io.jmlx.quant.QuantizationSettings;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves a model as mlx-lm's {@code save_model} does: its parameters ({@link Module#parameters()}) as the weights,
 * and a {@code config.json} whose {@code "quantization"} entry describes the quantized layers: global settings, and
 * a per-layer entry for each layer quantized differently. Dense layers need no entry: without {@code .scales}
 * they load dense. Written through a {@link CheckpointWriter} (sorted keys, shards, index, atomic).
 *
 * <pre>{@code
 * QuantizationResult done = Quantization.quantize(model, 64, 4, "affine", predicate);
 * ModelSaving.save(model, config, done.defaults(), CheckpointWriter.to(Path.of("model-4bit")));
 * }</pre>
 */
public final class ModelSaving {
    private ModelSaving() {}

    /**
     * Writes {@code model} with {@code config} (copied; other keys kept, an existing {@code "quantization"} entry
     * replaced but for its extra keys) and {@code global} as the quantization settings every quantized layer without
     * a per-layer entry has. With {@code global == null} the most common settings of the quantized layers are used;
     * a model without quantized layers gets no quantization entry.
     */
    public static void save(Module model, ObjectNode config, QuantizationSettings global, CheckpointWriter writer)
            throws IOException {
        Map<String, QuantizationSettings> quantized = new LinkedHashMap<>();
        model.leafModules().forEach((path, m) -> {
            if (m instanceof QuantizedLayer q) {
                quantized.put(path, q.settings());
            }
        });
        ObjectNode out = config == null ? JsonNodeFactory.instance.objectNode() : config.deepCopy();
        out.remove("quantization_config");
        if (quantized.isEmpty()) {
            out.remove("quantization");
        } else {
            QuantizationSettings defaults = global != null ? global : mostCommon(quantized);
            Map<String, QuantizationSettings> layers = new LinkedHashMap<>();
            quantized.forEach((path, s) -> {
                if (!s.equals(defaults)) {
                    layers.put(path, s);
                }
            });
            QuantizationConfig previous = QuantizationConfig.read(out, "config").orElse(null);
            QuantizationConfig q =
                    new QuantizationConfig(defaults, layers, previous == null ? Map.of() : previous.extra());
            out.set("quantization", q.toJson());
        }
        writer.write(out, model.parameters());
    }

    private static QuantizationSettings mostCommon(Map<String, QuantizationSettings> quantized) {
        Map<QuantizationSettings, Integer> counts = new LinkedHashMap<>();
        quantized.values().forEach(s -> counts.merge(s, 1, Integer::sum));
        return counts.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
    }
}
