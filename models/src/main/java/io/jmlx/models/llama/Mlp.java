package io.jmlx.models.llama;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.nn.Activations;
import io.jmlx.nn.Child;
import io.jmlx.nn.Layer;
import io.jmlx.nn.Linear;

/** Llama's SwiGLU feed-forward block: {@code down_proj(silu(gate_proj(x)) · up_proj(x))}, biased when the config says so. */
final class Mlp extends Layer {
    private final Child<Layer> gate;
    private final Child<Layer> up;
    private final Child<Layer> down;

    Mlp(LlamaConfig c) {
        gate = addChild("gate_proj", Layer.class, new Linear(c.hiddenSize(), c.intermediateSize(), c.mlpBias()));
        down = addChild("down_proj", Layer.class, new Linear(c.intermediateSize(), c.hiddenSize(), c.mlpBias()));
        up = addChild("up_proj", Layer.class, new Linear(c.hiddenSize(), c.intermediateSize(), c.mlpBias()));
    }

    @Override
    public Array forward(Array x) {
        return down.get()
                .forward(Jmlx.multiply(
                        Activations.silu(gate.get().forward(x)), up.get().forward(x)));
    }
}
