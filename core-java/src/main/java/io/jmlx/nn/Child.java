package io.jmlx.nn;

/**
 * A named child of a {@link Module}, with the type the parent declared for it. Parents read their children through
 * this handle on every call, so a child replaced by {@link Module#updateModules} (e.g. a {@code Linear} swapped for
 * a {@code QuantizedLinear} by {@link Quantization#quantize}) takes effect at once. Declare children with the
 * widest type the parent needs ({@code Layer.class} for anything with a forward pass) so that they can be replaced.
 *
 * @param <T> the declared type; replacements must be instances of it
 */
public final class Child<T extends Module> {
    private final String name;
    private final Class<T> type;
    private final boolean replaceable;
    private volatile T module;

    Child(String name, Class<T> type, T module, boolean replaceable) {
        this.name = name;
        this.type = type;
        this.replaceable = replaceable;
        this.module = module;
    }

    /** The child's name inside its parent, e.g. {@code mlp} or {@code 0}. */
    public String name() {
        return name;
    }

    /** The type the parent declared for this child. */
    public Class<T> type() {
        return type;
    }

    /** The current module. */
    public T get() {
        return module;
    }

    /** Throws a message naming {@code path} unless {@code replacement} may take this child's place. */
    void checkReplacement(String path, Module replacement) {
        if (!replaceable) {
            throw new IllegalArgumentException("Cannot replace the module list at '" + path + "'; replace its items ('"
                    + path + ".0', ...) instead.");
        }
        if (replacement == null) {
            throw new IllegalArgumentException("Cannot replace the module at '" + path + "' with null.");
        }
        if (!type.isInstance(replacement)) {
            throw new IllegalArgumentException(
                    "Cannot put a " + replacement.getClass().getName() + " at '" + path
                            + "': its parent declares that child as " + type.getName() + ".");
        }
    }

    void set(Module replacement) {
        module = type.cast(replacement);
    }
}
