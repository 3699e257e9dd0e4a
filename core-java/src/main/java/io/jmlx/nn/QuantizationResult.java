package io.jmlx.nn;

import io.jmlx.quant.QuantizationSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Quantization#quantize} did: the call's settings (defaults resolved) and, for every layer it quantized,
 * by path in model order, the settings used. A checkpoint writer puts {@link #defaults()} in mlx-lm's
 * {@code "quantization"} config and {@link #overrides()} as its per-layer entries.
 */
public record QuantizationResult(QuantizationSettings defaults, Map<String, QuantizationSettings> layers) {

    /** Keeps an unmodifiable copy of {@code layers} in its order. */
    public QuantizationResult {
        Objects.requireNonNull(defaults, "defaults");
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /** The quantized layers whose settings differ from {@link #defaults()}, by path in model order. */
    public Map<String, QuantizationSettings> overrides() {
        Map<String, QuantizationSettings> out = new LinkedHashMap<>();
        layers.forEach((path, settings) -> {
            if (!settings.equals(defaults)) {
                out.put(path, settings);
            }
        });
        return Collections.unmodifiableMap(out);
    }
}
