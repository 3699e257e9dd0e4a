package io.jmlx.nn;

/**
 * Decides, for each leaf module of a model, whether and how {@link Quantization#quantize} quantizes it (MLX's
 * {@code class_predicate}).
 */
@FunctionalInterface
public interface QuantizePredicate {

    /**
     * The decision for the module at {@code path} (dotted, relative to the model, e.g. {@code layers.0.mlp.up_proj});
     * never {@code null}.
     */
    QuantizeDecision decide(String path, Module module);

    /** MLX's default: quantize every module that can be quantized ({@link Quantizable}), with the call's settings. */
    static QuantizePredicate quantizable() {
        return (path, module) -> QuantizeDecision.of(module instanceof Quantizable);
    }
}
