package io.jmlx.nn;

import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;

/**
 * What a {@link QuantizePredicate} answers for one layer (MLX's {@code class_predicate} returning {@code False},
 * {@code True} or a dict of {@code to_quantized} parameters): {@link #skip()}, {@link #quantize()} with the call's
 * settings, or {@link #with} per-layer settings.
 */
public sealed interface QuantizeDecision {

    /** Leave the layer as it is. */
    static QuantizeDecision skip() {
        return new Skip();
    }

    /** Quantize the layer with the settings given to {@link Quantization#quantize}. */
    static QuantizeDecision quantize() {
        return new Quantize(null, null, null);
    }

    /** {@link #quantize()} when {@code quantize} is true, otherwise {@link #skip()}. */
    static QuantizeDecision of(boolean quantize) {
        return quantize ? quantize() : skip();
    }

    /** Quantize the layer with its own group size and bits ({@code null}: as {@link Quantize} explains). */
    static QuantizeDecision with(Integer groupSize, Integer bits) {
        return new Quantize(groupSize, bits, null);
    }

    /**
     * Quantize the layer with its own group size, bits and mode ({@code null}: as {@link Quantize} explains); the
     * mode is MLX's name, parsed with MLX's message for an unknown one.
     */
    static QuantizeDecision with(Integer groupSize, Integer bits, String mode) {
        return new Quantize(groupSize, bits, mode == null ? null : QuantizationSettings.parseMode(mode));
    }

    /** Quantize the layer with its own settings. */
    static QuantizeDecision with(QuantizationSettings settings) {
        return new Quantize(settings.groupSize(), settings.bits(), settings.mode());
    }

    /** Leave the layer as it is. */
    record Skip() implements QuantizeDecision {}

    /**
     * Quantize the layer. Any setting left {@code null} is taken from the call: the call's mode; the call's group
     * size and bits when the layer's mode is the call's, otherwise the layer's mode's defaults.
     */
    record Quantize(Integer groupSize, Integer bits, QuantizationMode mode) implements QuantizeDecision {

        /** The settings for a layer quantized by a call with {@code call}'s settings. */
        QuantizationSettings settingsFor(QuantizationSettings call) {
            QuantizationMode layerMode = mode == null ? call.mode() : mode;
            boolean callMode = layerMode == call.mode();
            return QuantizationSettings.of(
                    groupSize != null ? groupSize : callMode ? call.groupSize() : layerMode.defaultGroupSize(),
                    bits != null ? bits : callMode ? call.bits() : layerMode.defaultBits(),
                    layerMode);
        }
    }
}
