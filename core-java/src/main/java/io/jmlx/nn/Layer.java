package io.jmlx.nn;

import io.jmlx.Array;

/** A module with a forward pass from one array to one array (MLX's {@code __call__}). */
public abstract class Layer extends Module {

    /** A layer with no parameters or children yet; subclasses add them in their constructors. */
    protected Layer() {}

    /** Applies the layer to {@code x}. */
    public abstract Array forward(Array x);
}
