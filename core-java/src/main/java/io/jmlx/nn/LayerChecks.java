package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Shape;

/** Argument checks shared by the layers' constructors, with messages naming the layer and the argument. */
final class LayerChecks {
    private LayerChecks() {}

    /** A floating matrix. */
    static void checkFloatingMatrix(String layer, String argument, Array a) {
        if (a == null) {
            throw new IllegalArgumentException("[" + layer + "] " + argument + " must be given.");
        }
        if (a.ndim() != 2 || !a.dtype().isFloating()) {
            throw new IllegalArgumentException("[" + layer + "] " + argument + " must be a 2-D floating array but has "
                    + "shape " + Shape.format(a.shape()) + " and type " + a.dtype() + ".");
        }
    }

    /** An optional bias: {@code null}, or a floating vector of {@code outputDims} elements. */
    static void checkBias(String layer, Array bias, int outputDims) {
        if (bias != null
                && (bias.ndim() != 1
                        || bias.dim(0) != outputDims
                        || !bias.dtype().isFloating())) {
            throw new IllegalArgumentException("[" + layer + "] bias must be a floating vector of shape (" + outputDims
                    + ") to match the weight but has shape " + Shape.format(bias.shape()) + " and type "
                    + bias.dtype() + ".");
        }
    }

    /** Positive dimensions for a layer built from its sizes. */
    static void checkDims(String layer, String first, int a, String second, int b) {
        if (a <= 0 || b <= 0) {
            throw new IllegalArgumentException("[" + layer + "] " + first + " and " + second + " must be positive but "
                    + "are " + a + " and " + b + ".");
        }
    }

    /** A positive size for a layer built from it. */
    static void checkDim(String layer, String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("[" + layer + "] " + name + " must be positive but is " + value + ".");
        }
    }
}
