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
import java.util.Objects;

/**
 * Model-level quantization with a {@link QuantizationMethod}: the layers {@link Quantization#quantize} would quantize,
 * with the same per-layer decisions and settings, but their codes, scales and biases chosen by the method. The
 * result is MLX's layout whatever the method, so the model saves and loads as any quantized model.
 *
 * <p>A calibrated method runs the {@link Calibration} inputs block by block: the linear layers of one block (paths up
 * to the first number, e.g. {@code encoder.layer.3}) record what they see while each input runs (the forward pass
 * stops once they all have), then are quantized from it, before the next block is recorded; so each block
 * compensates for the quantization of the blocks before it. Layers it has no inputs for (embeddings) get the data-free {@link QuantizationMethod#MSE}.
 *
 * <pre>{@code
 * Calibration sentences = new EncoderCalibration(tokenizer, calibrationText);   // jmlx-models, for a BERT encoder
 * QuantizationResult r = MethodQuantization.quantize(model, new QuantizationSettings(64, 4, AFFINE),
 *         QuantizePredicate.quantizable(), QuantizationMethod.GPTQ, sentences);
 * }</pre>
 */
public final class MethodQuantization {
    private MethodQuantization() {}

    /**
     * Quantizes {@code model} in place with {@code method}.
     *
     * @param call        the settings of layers the predicate does not give their own
     * @param predicate   which layers, and with which settings ({@code null}: {@link QuantizePredicate#quantizable()})
     * @param calibration runs the calibration inputs (needed by calibrated methods, ignored by data-free ones)
     * @return the settings used, per quantized layer
     * @throws IllegalArgumentException as {@link Quantization#quantize} does, if a method other than
     *                                  {@link QuantizationMethod#RTN} is asked for a non-affine mode or a layer other
     *                                  than {@link Linear} and {@link Embedding}, or a calibrated method gets no
     *                                  calibration; the model is then unchanged
     */
    public static QuantizationResult quantize(
            Module model,
            QuantizationSettings call,
            QuantizePredicate predicate,
            QuantizationMethod method,
            Calibration calibration) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(method, "method");
        if (method == QuantizationMethod.RTN) {
            return Quantization.quantize(model, call, predicate);
        }
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
                    decided.put(path, q.settingsFor(call));
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

    /** Embeddings first (data-free), then the linear layers block by block from what they see. */
    private static void quantizeCalibrated(
            Module model, Map<String, QuantizationSettings> decided, Calibration calibration) {
        Map<String, Module> embeddings = new LinkedHashMap<>();
        List<List<String>> stages = new ArrayList<>();
        String block = null;
        for (var e : decided.entrySet()) {
            Module layer = model.module(e.getKey());
            if (layer instanceof Embedding) {
                embeddings.put(e.getKey(), dataFree(e.getKey(), layer, e.getValue(), QuantizationMethod.MSE));
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
            Map<String, Module> quantized = new LinkedHashMap<>();
            recorders.forEach((path, r) -> {
                if (r.hessian() == null) {
                    throw new IllegalArgumentException("The calibration never reached layer '" + path + "'.");
                }
                QuantizationSettings s = decided.get(path);
                try {
                    quantized.put(path, twin(r.layer(), Gptq.quantize(r.layer().weight(), r.hessian(), s), s));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(e.getMessage() + " (layer '" + path + "')", e);
                }
            });
            model.updateModules(quantized);
        }
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
