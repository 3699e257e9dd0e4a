package io.jmlx.nn;

import io.jmlx.Array;
import java.util.List;

/** Layers applied one after another (MLX's {@code nn.Sequential}); the layers' paths are {@code layers.0}, {@code layers.1}, ... */
public final class Sequential extends Layer {
    private final ModuleList<Layer> layers;

    /** The layers, in the order they are applied. */
    public Sequential(Layer... layers) {
        this.layers = addModuleList("layers", Layer.class, List.of(layers));
    }

    /** The current layers (a replaced layer shows its replacement). */
    public ModuleList<Layer> layers() {
        return layers;
    }

    @Override
    public Array forward(Array x) {
        Array y = x;
        for (Layer layer : layers) {
            y = layer.forward(y);
        }
        return y;
    }
}
