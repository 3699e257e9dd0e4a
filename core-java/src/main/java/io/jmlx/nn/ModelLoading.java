package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Shape;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Loads a checkpoint into a model as mlx-lm's {@code load_model} does: every layer the checkpoint stores quantized
 * (by mlx-lm's rule: the config's per-layer entry, else the presence of {@code <path>.scales}; see
 * {@link ModelCheckpoint#layerQuantization}) becomes its quantized twin, then every parameter is assigned
 * strictly. Arrays stay views of the memory-mapped files: keep the checkpoint open while the model is used.
 *
 * <pre>{@code
 * try (ModelCheckpoint ckpt = ModelCheckpoint.open(Path.of("Llama-3.2-1B-4bit"))) {
 *     Llama model = new Llama(LlamaConfig.from(ckpt.config()));
 *     ModelLoading.load(ckpt, model);
 *     ... model.forward(tokens) ...
 * }
 * }</pre>
 */
public final class ModelLoading {
    private ModelLoading() {}

    /**
     * Makes {@code model} hold the checkpoint's weights, in place and all or nothing: quantized layers are built
     * straight from the stored codes (no quantization of placeholder weights), then {@link Module#loadWeights} runs
     * with {@code strict = true}.
     *
     * @throws IllegalArgumentException if a layer stored quantized cannot be quantized (MLX's {@code Unable to
     *                                  quantize model of type ...}), its stored shapes do not fit the model's layer
     *                                  or its settings, or the keys do not match the model's parameters (MLX's
     *                                  messages); the model is then unchanged
     */
    public static void load(ModelCheckpoint checkpoint, Module model) {
        load(checkpoint, model, name -> true);
    }

    /**
     * {@link #load(ModelCheckpoint, Module)} with only the tensors {@code include} accepts, for checkpoints that hold
     * more than the model's parameters (mlx-lm's {@code sanitize}: e.g. a stored {@code position_ids} buffer).
     */
    public static void load(ModelCheckpoint checkpoint, Module model, Predicate<String> include) {
        Map<String, Module> replacements = new LinkedHashMap<>();
        model.leafModules().forEach((path, module) -> {
            Optional<QuantizationSettings> stored = checkpoint.layerQuantization(path);
            if (stored.isEmpty()) {
                return;
            }
            boolean configured = checkpoint
                    .quantization()
                    .map(q -> q.layers().containsKey(path))
                    .orElse(false);
            if (!(module instanceof Quantizable)) {
                if (configured) {
                    throw new IllegalArgumentException("Unable to quantize model of type "
                            + module.getClass().getName() + " (layer '" + path
                            + "', quantized by the checkpoint's config).");
                }
                return; // mlx-lm leaves it dense; its stray scales then fail the strict load below
            }
            replacements.put(path, quantizedTwin(checkpoint, path, module, stored.get()));
        });
        Map<String, Array> weights = new LinkedHashMap<>();
        for (String name : checkpoint.names()) {
            if (include.test(name)) {
                weights.put(name, checkpoint.get(name));
            }
        }
        Map<String, Module> originals = new LinkedHashMap<>();
        replacements.keySet().forEach(path -> originals.put(path, model.module(path)));
        model.updateModules(replacements);
        try {
            model.loadWeights(weights, true);
        } catch (RuntimeException e) {
            model.updateModules(originals); // loadWeights changed nothing; undo the replacements too
            throw e;
        }
    }

    /** The quantized layer for {@code path}, made of the stored codes, scales and biases. */
    private static Module quantizedTwin(
            ModelCheckpoint checkpoint, String path, Module module, QuantizationSettings s) {
        String at = " (layer '" + path + "', stored as " + s + ")";
        for (String part :
                s.mode().isAffine() ? new String[] {"weight", "scales", "biases"} : new String[] {"weight", "scales"}) {
            if (!checkpoint.contains(path + "." + part)) {
                throw new IllegalArgumentException("Missing parameter " + path + "." + part + at + ".");
            }
        }
        QuantizedArray w;
        try {
            w = QuantizedArray.fromParts(
                    checkpoint.get(path + ".weight"),
                    checkpoint.get(path + ".scales"),
                    s.mode().isAffine() ? checkpoint.get(path + ".biases") : null,
                    null,
                    s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + at, e);
        }
        int[] want = switch (module) {
            case Linear l -> l.weight().shape();
            case Embedding e -> e.weight().shape();
            default -> null;
        };
        if (want != null && !Arrays.equals(want, w.shape())) {
            throw new IllegalArgumentException("The stored weight of " + path + " is " + Shape.format(w.shape())
                    + " once dequantized but the model's layer has " + Shape.format(want) + at + ".");
        }
        return switch (module) {
            case Linear l -> new QuantizedLinear(w, l.bias());
            case Embedding e -> new QuantizedEmbedding(w);
            default -> ((Quantizable) module).toQuantized(s);
        };
    }
}
