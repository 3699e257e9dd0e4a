package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.quant.method.Gptq;
import io.jmlx.quant.method.QuantizationMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model-level quantization with a {@link QuantizationMethod} other than round to nearest, behind
 * {@link Quantization#quantize(Module, QuantizationSettings, QuantizePredicate, QuantizationMethod, Calibration)}:
 * the layers round to nearest would quantize, with the same per-layer decisions and settings, but their codes,
 * scales and biases chosen by the method.
 */
final class MethodQuantizer {
    private MethodQuantizer() {}

    /** See {@link Quantization#quantize(Module, QuantizationSettings, QuantizePredicate, QuantizationMethod, Calibration)}. */
    static QuantizationResult quantize(
            Module model,
            QuantizationSettings call,
            QuantizePredicate predicate,
            QuantizationMethod method,
            Calibration calibration) {
        if (method.kind() == QuantizationMethod.Kind.CALIBRATED && calibration == null) {
            throw new IllegalArgumentException("The method " + method + " is calibrated: it needs calibration "
                    + "inputs (a Calibration that runs the model), but none was given.");
        }
        Map<String, QuantizationSettings> decided = decide(model, call, predicate);
        Map<String, Module> originals = new LinkedHashMap<>();
        decided.keySet().forEach(path -> originals.put(path, model.module(path)));
        try {
            if (method.kind() == QuantizationMethod.Kind.CALIBRATED && !decided.isEmpty()) {
                quantizeCalibrated(model, decided, calibration);
            } else {
                Map<String, Module> replacements = new LinkedHashMap<>();
                decided.forEach((path, s) -> replacements.put(path, dataFree(path, originals.get(path), s, method)));
                model.updateModules(replacements);
            }
        } catch (RuntimeException e) {
            model.updateModules(originals);
            throw e;
        }
        return new QuantizationResult(call, decided);
    }

    /** The settings of every layer the predicate wants quantized, in model order, checked as {@code quantize} does. */
    private static Map<String, QuantizationSettings> decide(
            Module model, QuantizationSettings call, QuantizePredicate predicate) {
        QuantizePredicate decide = predicate == null ? QuantizePredicate.quantizable() : predicate;
        Map<String, QuantizationSettings> decided = new LinkedHashMap<>();
        model.leafModules().forEach((path, module) -> {
            switch (decide.decide(path, module)) {
                case null ->
                    throw new IllegalArgumentException(
                            "The quantize predicate returned null for layer '" + path + "'.");
                case QuantizeDecision.Skip skip -> {}
                case QuantizeDecision.Quantize q -> {
                    if (!(module instanceof Linear) && !(module instanceof Embedding)) {
                        throw new IllegalArgumentException("Quantization methods other than rtn quantize Linear and "
                                + "Embedding layers, but layer '" + path + "' is a "
                                + module.getClass().getName() + ".");
                    }
                    try {
                        decided.put(path, q.settingsFor(call));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(e.getMessage() + " (layer '" + path + "')", e);
                    }
                }
            }
        });
        return decided;
    }

    /** The quantized twin of {@code layer} with the weight {@code method} quantizes without data. */
    private static Module dataFree(String path, Module layer, QuantizationSettings s, QuantizationMethod method) {
        Array weight = layer instanceof Linear l ? l.weight() : ((Embedding) layer).weight();
        try {
            return twin(layer, method.quantizeDataFree(weight, s), s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (layer '" + path + "')", e);
        }
    }

    private static Module twin(Module layer, QuantizedParts parts, QuantizationSettings s) {
        QuantizedArray w = QuantizedArray.fromParts(
                parts.packed(),
                parts.scales(),
                parts.biases(),
                s.groupSize(),
                s.bits(),
                s.mode().mlxName());
        return layer instanceof Linear l ? new QuantizedLinear(w, l.bias()) : new QuantizedEmbedding(w);
    }

    /**
     * Embeddings first (data-free, for their lookups), then the linear layers block by block from what they see,
     * then the embeddings that serve as output heads ({@link TiedHead}) from what the head sees.
     */
    private static void quantizeCalibrated(
            Module model, Map<String, QuantizationSettings> decided, Calibration calibration) {
        Map<String, Layer> embeddings = new LinkedHashMap<>();
        Map<String, Array> tables = new LinkedHashMap<>();
        List<List<String>> stages = new ArrayList<>();
        String block = null;
        for (var e : decided.entrySet()) {
            Module layer = model.module(e.getKey());
            if (layer instanceof Embedding embedding) {
                tables.put(e.getKey(), embedding.weight());
                embeddings.put(e.getKey(), (Layer) dataFree(e.getKey(), layer, e.getValue(), QuantizationMethod.MSE));
                continue;
            }
            String key = blockOf(e.getKey());
            if (!key.equals(block)) {
                stages.add(new ArrayList<>());
                block = key;
            }
            stages.getLast().add(e.getKey());
        }
        model.updateModules(embeddings);
        for (List<String> stage : stages) {
            Map<String, Linear> layers = new LinkedHashMap<>();
            for (String path : stage) {
                layers.put(path, (Linear) model.module(path));
            }
            Map<String, HessianRecorder> recorders = HessianRecorder.forStage(layers);
            model.updateModules(recorders);
            HessianRecorder.runStage(recorders, model, calibration);
            recorders.forEach((path, r) -> {
                if (r.hessian() == null) {
                    throw new IllegalArgumentException("The calibration never reached layer '" + path + "'.");
                }
            });
            model.updateModules(fromRecorded(recorders, decided));
        }
        if (!embeddings.isEmpty()) {
            Map<String, HessianRecorder> heads = HessianRecorder.forHeads(embeddings, tables);
            model.updateModules(heads);
            HessianRecorder.runStage(heads, model, calibration);
            Map<String, Module> quantized = new LinkedHashMap<>(embeddings);
            heads.forEach((path, r) -> {
                if (r.hessian() != null) {
                    quantized.putAll(fromRecorded(Map.of(path, r), decided));
                }
            });
            model.updateModules(quantized);
        }
    }

    /** GPTQ's twin of each recorded layer, from the inputs it recorded. */
    private static Map<String, Module> fromRecorded(
            Map<String, HessianRecorder> recorders, Map<String, QuantizationSettings> decided) {
        Map<String, Module> quantized = new LinkedHashMap<>();
        recorders.forEach((path, r) -> {
            QuantizationSettings s = decided.get(path);
            try {
                quantized.put(path, twin(r.layer(), Gptq.quantize(r.weight(), r.hessian(), s), s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (layer '" + path + "')", e);
            }
        });
        return quantized;
    }

    /** The path up to its first all-digit segment ({@code encoder.layer.3.attention.self.query → encoder.layer.3}). */
    static String blockOf(String path) {
        String[] parts = path.split("\\.");
        StringBuilder key = new StringBuilder();
        for (String p : parts) {
            key.append(key.isEmpty() ? "" : ".").append(p);
            if (!p.isEmpty() && p.chars().allMatch(Character::isDigit)) {
                return key.toString();
            }
        }
        return path;
    }
}
