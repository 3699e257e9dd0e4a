package io.jmlx.nn;

import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.method.QuantizationMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * Model-level quantization with MLX's semantics ({@code mlx.nn.quantize}) and its reverse (mlx-lm's
 * {@code dequantize_model}). Both change the model in place, all or nothing: every decision, setting and weight shape
 * is checked, and every quantized weight computed, before any module is replaced, so an error leaves the model as it
 * was.
 *
 * <pre>{@code
 * QuantizationResult done = Quantization.quantize(model, 64, 4, "affine",
 *         (path, m) -> path.endsWith("lm_head") ? QuantizeDecision.with(64, 8) : QuantizeDecision.of(m instanceof Quantizable));
 * }</pre>
 */
public final class Quantization {
    private Quantization() {}

    /** Quantizes every quantizable layer of {@code model} with MLX's defaults (affine, group size 64, 4 bits). */
    public static QuantizationResult quantize(Module model) {
        return quantize(model, QuantizationSettings.DEFAULT, null);
    }

    /** Quantizes every quantizable layer in affine mode; {@code null} group size or bits: the defaults (64, 4). */
    public static QuantizationResult quantize(Module model, Integer groupSize, Integer bits) {
        return quantize(model, groupSize, bits, null, null);
    }

    /** Quantizes every quantizable layer; {@code null} group size or bits: the mode's defaults; {@code null} mode: affine. */
    public static QuantizationResult quantize(Module model, Integer groupSize, Integer bits, String mode) {
        return quantize(model, groupSize, bits, mode, null);
    }

    /**
     * MLX's {@code nn.quantize(model, group_size, bits, mode=mode, class_predicate=predicate)}: asks
     * {@code predicate} about every leaf module ({@link Module#leafModules()}, paths relative to {@code model}) and
     * replaces each one it wants quantized by its quantized counterpart ({@link Quantizable#toQuantized}).
     *
     * @param groupSize {@code null}: the mode's default
     * @param bits      {@code null}: the mode's default
     * @param mode      {@code affine}, {@code mxfp4}, {@code mxfp8} or {@code nvfp4}; {@code null}: affine
     * @param predicate {@code null}: {@link QuantizePredicate#quantizable()}
     * @return the settings used, per quantized layer
     * @throws IllegalArgumentException for an unknown mode, a {@code null} decision, a module asked to be quantized
     *                                  that is not {@link Quantizable} ({@code Unable to quantize model of type ...}),
     *                                  or settings or shapes {@code quantize} rejects (MLX's messages, followed by the
     *                                  layer's path); the model is then unchanged
     */
    public static QuantizationResult quantize(
            Module model, Integer groupSize, Integer bits, String mode, QuantizePredicate predicate) {
        Objects.requireNonNull(model, "model");
        return quantize(model, QuantizationSettings.resolve(groupSize, bits, mode), predicate);
    }

    /**
     * {@link #quantize(Module, Integer, Integer, String, QuantizePredicate)} with resolved settings for the layers the
     * predicate answers {@link QuantizeDecision#quantize()} for.
     */
    public static QuantizationResult quantize(Module model, QuantizationSettings call, QuantizePredicate predicate) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(call, "call");
        QuantizePredicate decide = predicate == null ? QuantizePredicate.quantizable() : predicate;
        Map<String, Module> replacements = new LinkedHashMap<>();
        Map<String, QuantizationSettings> done = new LinkedHashMap<>();
        model.leafModules().forEach((path, module) -> {
            QuantizeDecision decision;
            try {
                decision = decide.decide(path, module);
            } catch (IllegalArgumentException e) {
                throw atLayer(path, e);
            }
            switch (decision) {
                case null ->
                    throw new IllegalArgumentException("The quantize predicate must return a QuantizeDecision "
                            + "(skip(), quantize() or with(...); MLX: a bool or a dict of parameters to pass to "
                            + "to_quantized) but returned null for layer '" + path + "'.");
                case QuantizeDecision.Skip skip -> {}
                case QuantizeDecision.Quantize q -> {
                    if (!(module instanceof Quantizable quantizable)) {
                        throw new IllegalArgumentException("Unable to quantize model of type "
                                + module.getClass().getName() + " (layer '" + path + "').");
                    }
                    QuantizationSettings s;
                    try {
                        s = q.settingsFor(call);
                    } catch (IllegalArgumentException e) {
                        throw atLayer(path, e);
                    }
                    replacements.put(path, quantizeLayer(path, quantizable, s));
                    done.put(path, s);
                }
            }
        });
        model.updateModules(replacements);
        return new QuantizationResult(call, done);
    }

    /**
     * Quantizes with a {@link QuantizationMethod}: the layers, decisions and settings of
     * {@link #quantize(Module, QuantizationSettings, QuantizePredicate)}, the codes, scales and biases chosen by the
     * method, MLX's layout whatever the method. {@link QuantizationMethod#RTN} is that call exactly.
     *
     * <p>A calibrated method runs the {@link Calibration} inputs block by block: the linear layers of one block
     * (paths up to the first number, e.g. {@code encoder.layer.3}) record what they see while each input runs (the
     * forward pass stops once they all have), then are quantized from it, before the next block is recorded; so each
     * block compensates for the quantization of the blocks before it. Layers it has no inputs for (embeddings) get
     * the data-free {@link QuantizationMethod#MSE}.
     *
     * <pre>{@code
     * Calibration text = new EncoderCalibration(tokenizer, sentences);   // jmlx-models, for a BERT encoder
     * Quantization.quantize(model, QuantizationSettings.DEFAULT, null, QuantizationMethod.GPTQ, text);
     * }</pre>
     *
     * @param calibration runs the calibration inputs: needed by calibrated methods, ignored by data-free ones
     * @throws IllegalArgumentException as the call without a method does; and if a method other than rtn is asked
     *                                  for a non-affine mode or a layer other than {@link Linear} and
     *                                  {@link Embedding}, or a calibrated method gets no calibration; the model is
     *                                  then unchanged
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
        return method == QuantizationMethod.RTN
                ? quantize(model, call, predicate)
                : MethodQuantizer.quantize(model, call, predicate, method, calibration);
    }

    private static Module quantizeLayer(String path, Quantizable layer, QuantizationSettings s) {
        try {
            return layer.toQuantized(s);
        } catch (IllegalArgumentException e) {
            throw atLayer(path, e);
        }
    }

    /** MLX's message, followed by the path of the layer it is about. */
    private static IllegalArgumentException atLayer(String path, IllegalArgumentException e) {
        return new IllegalArgumentException(e.getMessage() + " (layer '" + path + "')", e);
    }

    /** Quantizes the layers {@code predicate} accepts, with MLX's defaults (affine, group size 64, 4 bits). */
    public static QuantizationResult quantizeWhere(Module model, BiPredicate<String, Module> predicate) {
        return quantizeWhere(model, null, null, null, predicate);
    }

    /**
     * {@link #quantize(Module, Integer, Integer, String, QuantizePredicate)} with a yes/no predicate of
     * {@code (path, module)}: every accepted layer gets the call's settings. (A separate name, because a lambda
     * could not tell two {@code quantize} overloads taking two-argument predicates apart.)
     */
    public static QuantizationResult quantizeWhere(
            Module model, Integer groupSize, Integer bits, String mode, BiPredicate<String, Module> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return quantize(model, groupSize, bits, mode, (path, m) -> QuantizeDecision.of(predicate.test(path, m)));
    }

    /**
     * Replaces every {@link QuantizedLayer} of {@code model} by its dense counterpart ({@link QuantizedLayer#toDense()}:
     * QuantizedLinear → Linear, QuantizedEmbedding → Embedding), in place; returns the paths replaced, in model order.
     */
    public static List<String> dequantize(Module model) {
        Map<String, Module> replacements = new LinkedHashMap<>();
        model.leafModules().forEach((path, module) -> {
            if (module instanceof QuantizedLayer q) {
                replacements.put(path, q.toDense());
            }
        });
        model.updateModules(replacements);
        return List.copyOf(replacements.keySet());
    }
}
