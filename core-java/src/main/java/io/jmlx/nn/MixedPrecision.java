package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.ReconstructionError;
import io.jmlx.quant.method.BitBudget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Mixed precision for a model under a size budget: {@link #plan} measures how sensitive the model is to each layer
 * and chooses per-layer settings with {@link BitBudget}; quantize with {@link Plan#predicate()}, then save (the
 * per-layer settings become per-layer entries of {@code config.json}, as mlx-lm reads them).
 *
 * <pre>{@code
 * MixedPrecision.Plan plan = MixedPrecision.plan(model, null, 4.5, calibration);
 * Quantization.quantize(model, QuantizationSettings.DEFAULT, plan.predicate(), QuantizationMethod.GPTQ, calibration);
 * }</pre>
 */
public final class MixedPrecision {
    /** Calibration inputs run to measure each layer's sensitivity. */
    static final int PROBE_INPUTS = 16;

    /** Bits of the probe setting, at which each layer's sensitivity is measured. */
    static final int PROBE_BITS = 3;

    private MixedPrecision() {}

    /**
     * Per-layer settings and the sensitivities they were chosen from.
     *
     * @param layers      path → settings, in model order
     * @param sensitivity path → how much the model's output moves per unit of the layer's squared relative error
     *                    (all 1 when no calibration measured them)
     */
    public record Plan(Map<String, QuantizationSettings> layers, Map<String, Double> sensitivity) {
        /** Keeps unmodifiable copies in their order. */
        public Plan {
            layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
            sensitivity = Collections.unmodifiableMap(new LinkedHashMap<>(sensitivity));
        }

        /** Quantizes the planned layers with their settings and skips every other layer. */
        public QuantizePredicate predicate() {
            return (path, m) ->
                    layers.containsKey(path) ? QuantizeDecision.with(layers.get(path)) : QuantizeDecision.skip();
        }
    }

    /**
     * Plans the layers {@code predicate} would quantize (Linear and Embedding layers whose input width some group
     * size divides) to fit {@code bitsPerWeight} on average. With {@code calibration}, each layer's sensitivity is
     * measured: quantized alone (round to nearest, 3 bits), how far it moves the model's outputs on the first
     * {@value #PROBE_INPUTS} calibration inputs (relative squared error), per unit of its own squared relative
     * error; without, every layer counts alike.
     *
     * @param predicate   {@code null}: {@link QuantizePredicate#quantizable()}
     * @param calibration {@code null}: data-free
     * @throws IllegalArgumentException if the budget is below what the layers can be stored in
     */
    public static Plan plan(Module model, QuantizePredicate predicate, double bitsPerWeight, Calibration calibration) {
        Objects.requireNonNull(model, "model");
        QuantizePredicate decide = predicate == null ? QuantizePredicate.quantizable() : predicate;
        Map<String, Array> weights = new LinkedHashMap<>();
        model.leafModules().forEach((path, module) -> {
            Array w = module instanceof Linear l ? l.weight() : module instanceof Embedding e ? e.weight() : null;
            if (w != null
                    && w.shape()[1] % 32 == 0
                    && decide.decide(path, module) instanceof QuantizeDecision.Quantize) {
                weights.put(path, w);
            }
        });
        Map<String, Double> sensitivity = new LinkedHashMap<>();
        if (calibration == null) {
            weights.keySet().forEach(path -> sensitivity.put(path, 1.0));
        } else {
            measure(model, weights, calibration, sensitivity);
        }
        return new Plan(BitBudget.plan(weights, bitsPerWeight, sensitivity::get), sensitivity);
    }

    private static void measure(
            Module model, Map<String, Array> weights, Calibration calibration, Map<String, Double> out) {
        int n = Math.min(PROBE_INPUTS, calibration.size());
        List<float[]> reference = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            reference.add(calibration.run(model, i).toFloatArray());
        }
        for (String path : weights.keySet()) {
            Module original = model.module(path);
            Array w = weights.get(path);
            int cols = w.shape()[1];
            QuantizationSettings probe =
                    new QuantizationSettings(cols % 64 == 0 ? 64 : 32, PROBE_BITS, QuantizationMode.AFFINE);
            double error = ReconstructionError.relative(w, Jmlx.quantize(w, probe), probe);
            model.updateModules(Map.of(path, ((Quantizable) original).toQuantized(probe)));
            double moved = 0;
            try {
                for (int i = 0; i < n; i++) {
                    moved += relativeSquaredError(
                            reference.get(i), calibration.run(model, i).toFloatArray());
                }
            } finally {
                model.updateModules(Map.of(path, original));
            }
            out.put(path, error == 0 ? 0 : moved / n / (error * error));
        }
    }

    private static double relativeSquaredError(float[] reference, float[] actual) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = (double) reference[i] - actual[i];
            diff += d * d;
            norm += (double) reference[i] * reference[i];
        }
        return norm == 0 ? diff : diff / norm;
    }
}
