package io.jmlx.nn;

import io.jmlx.Array;

/**
 * A named array of a {@link Module} (a weight, a bias, quantization scales): what a checkpoint stores under
 * {@code <module path>.<name>}. Modules read their parameters through this handle on every call, so arrays loaded by
 * {@link Module#loadWeights} take effect at once.
 */
public final class Parameter {
    private final String name;
    private volatile Array value;

    Parameter(String name, Array value) {
        this.name = name;
        this.value = value;
    }

    /** The parameter's name inside its module, e.g. {@code weight}. */
    public String name() {
        return name;
    }

    /** The current array. */
    public Array get() {
        return value;
    }

    void set(Array replacement) {
        value = replacement;
    }
}
