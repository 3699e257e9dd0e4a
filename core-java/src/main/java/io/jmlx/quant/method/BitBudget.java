package io.jmlx.quant.method;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.ReconstructionError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Mixed precision under a size budget: per layer, the affine settings (bits 2–8, group size 32/64/128) that together
 * fit {@code bitsPerWeight} on average with the least estimated loss. A layer's loss for a setting is its
 * sensitivity times the squared relative reconstruction error ‖W − Ŵ‖²/‖W‖² that round to nearest gives it with
 * that setting (measured, not modelled); its cost is the bits the setting stores for it, codes plus scales and
 * biases in the scales' type. The choice minimises the Lagrangian {@code loss + λ·bits} layer by layer, λ found by
 * bisection so that the total fits, then spends what is left of the budget on the upgrades that buy the most loss per
 * bit.
 */
public final class BitBudget {
    /** The settings a plan chooses from: affine, bits 2, 3, 4, 5, 6, 8 × group sizes 32, 64, 128. */
    public static final List<QuantizationSettings> CANDIDATES = candidates();

    /** One layer's options: settings with their stored bits and estimated loss. */
    private record Option(QuantizationSettings settings, double bits, double loss) {}

    private BitBudget() {}

    private static List<QuantizationSettings> candidates() {
        List<QuantizationSettings> out = new ArrayList<>();
        for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
            for (int g : new int[] {32, 64, 128}) {
                out.add(new QuantizationSettings(g, bits, QuantizationMode.AFFINE));
            }
        }
        return List.copyOf(out);
    }

    /** Bits stored per weight with {@code s} when scales and biases have type {@code scaleType}. */
    public static double bitsPerWeight(QuantizationSettings s, DType scaleType) {
        return s.bits() + 2.0 * scaleType.byteSize() * 8 / s.groupSize();
    }

    /**
     * Plans settings for {@code weights} (path → 2-D float weight, in the dtype its scales will have).
     *
     * @param bitsPerWeight the budget: stored bits over all these weights divided by their number
     * @param sensitivity   each layer's weight in the loss (1 for all: every layer counts alike)
     * @return the settings per path, in the order of {@code weights}
     * @throws IllegalArgumentException if even the smallest settings do not fit the budget
     */
    public static Map<String, QuantizationSettings> plan(
            Map<String, Array> weights, double bitsPerWeight, ToDoubleFunction<String> sensitivity) {
        Map<String, List<Option>> options = new LinkedHashMap<>();
        long count = 0;
        for (var e : weights.entrySet()) {
            Array w = e.getValue();
            count += w.size();
            options.put(e.getKey(), options(w, sensitivity.applyAsDouble(e.getKey())));
        }
        double budget = bitsPerWeight * count;
        double smallest = options.values().stream()
                .mapToDouble(o -> o.stream().mapToDouble(Option::bits).min().orElseThrow())
                .sum();
        if (smallest > budget * (1 + 1e-12)) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "A budget of %.3f bits per weight is below the smallest these layers can be stored in (%.3f).",
                    bitsPerWeight,
                    smallest / count));
        }
        // Bisection on λ: the larger λ, the fewer bits each layer's Lagrangian choice spends.
        double lo = 0;
        double hi = 1;
        while (total(choose(options, hi)) > budget) {
            hi *= 4;
        }
        Map<String, Option> chosen = choose(options, hi);
        if (total(choose(options, lo)) > budget) {
            for (int i = 0; i < 100; i++) {
                double mid = (lo + hi) / 2;
                Map<String, Option> c = choose(options, mid);
                if (total(c) > budget) {
                    lo = mid;
                } else {
                    hi = mid;
                    chosen = c;
                }
            }
        } else {
            chosen = choose(options, lo);
        }
        spendRest(options, chosen, budget);
        Map<String, QuantizationSettings> plan = new LinkedHashMap<>();
        chosen.forEach((path, o) -> plan.put(path, o.settings()));
        return plan;
    }

    /** Every candidate whose group size divides the weight's last dimension, with its bits and loss. */
    private static List<Option> options(Array w, double sensitivity) {
        int cols = w.shape()[w.shape().length - 1];
        List<Option> out = new ArrayList<>();
        for (QuantizationSettings s : CANDIDATES) {
            if (cols % s.groupSize() != 0) {
                continue;
            }
            double error = ReconstructionError.relative(w, Jmlx.quantize(w, s), s);
            out.add(new Option(s, bitsPerWeight(s, w.dtype()) * w.size(), sensitivity * error * error));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("A weight of last dimension " + cols + " fits no group size (32, 64, "
                    + "128); leave it out of the plan.");
        }
        return out;
    }

    private static Map<String, Option> choose(Map<String, List<Option>> options, double lambda) {
        Map<String, Option> out = new LinkedHashMap<>();
        options.forEach((path, list) -> {
            Option best = null;
            for (Option o : list) {
                if (best == null
                        || o.loss() + lambda * o.bits() < best.loss() + lambda * best.bits()
                        || (o.loss() + lambda * o.bits() == best.loss() + lambda * best.bits()
                                && o.bits() < best.bits())) {
                    best = o;
                }
            }
            out.put(path, best);
        });
        return out;
    }

    private static double total(Map<String, Option> chosen) {
        return chosen.values().stream().mapToDouble(Option::bits).sum();
    }

    /** Greedy: while some upgrade fits the rest of the budget, take the one with the most loss saved per bit. */
    private static void spendRest(Map<String, List<Option>> options, Map<String, Option> chosen, double budget) {
        while (true) {
            double left = budget - total(chosen);
            String bestPath = null;
            Option bestOption = null;
            double bestRate = 0;
            for (var e : options.entrySet()) {
                Option now = chosen.get(e.getKey());
                for (Option o : e.getValue()) {
                    double extra = o.bits() - now.bits();
                    double saved = now.loss() - o.loss();
                    if (extra > 0 && extra <= left && saved > 0 && saved / extra > bestRate) {
                        bestRate = saved / extra;
                        bestPath = e.getKey();
                        bestOption = o;
                    }
                }
            }
            if (bestPath == null) {
                return;
            }
            chosen.put(bestPath, bestOption);
        }
    }
}
