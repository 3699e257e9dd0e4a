package io.jmlx.samples.llama;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.nn.Activations;
import io.jmlx.nn.Child;
import io.jmlx.nn.Layer;
import io.jmlx.nn.Linear;

/** Llama's SwiGLU feed-forward block: {@code down_proj(silu(gate_proj(x)) · up_proj(x))}, no biases. */
final class Mlp extends Layer {
    private final Child<Layer> gate;
    private final Child<Layer> up;
    private final Child<Layer> down;

    Mlp(LlamaConfig c) {
        gate = addChild("gate_proj", Layer.class, new Linear(c.hiddenSize(), c.intermediateSize(), false));
        down = addChild("down_proj", Layer.class, new Linear(c.intermediateSize(), c.hiddenSize(), false));
        up = addChild("up_proj", Layer.class, new Linear(c.hiddenSize(), c.intermediateSize(), false));
    }

    @Override
    public Array forward(Array x) {
        return down.get()
                .forward(Jmlx.multiply(
                        Activations.silu(gate.get().forward(x)), up.get().forward(x)));
    }
}
