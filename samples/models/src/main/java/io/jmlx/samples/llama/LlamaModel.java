package io.jmlx.samples.llama;

import io.jmlx.Array;
import io.jmlx.nn.Child;
import io.jmlx.nn.Embedding;
import io.jmlx.nn.Layer;
import io.jmlx.nn.Module;
import io.jmlx.nn.ModuleList;
import io.jmlx.nn.RMSNorm;
import java.util.ArrayList;
import java.util.List;

/** The body of a Llama (checkpoint prefix {@code model.}): {@code embed_tokens}, {@code layers.N}, {@code norm}. */
final class LlamaModel extends Module {
    private final Child<Layer> embedTokens;
    private final ModuleList<DecoderLayer> layers;
    private final Child<Layer> norm;

    LlamaModel(LlamaConfig c) {
        embedTokens = addChild("embed_tokens", Layer.class, new Embedding(c.vocabSize(), c.hiddenSize()));
        List<DecoderLayer> blocks = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            blocks.add(new DecoderLayer(c));
        }
        layers = addModuleList("layers", DecoderLayer.class, blocks);
        norm = addChild("norm", Layer.class, new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
    }

    /** The token embedding (an {@code Embedding}, or a {@code QuantizedEmbedding} once quantized). */
    Layer embedTokens() {
        return embedTokens.get();
    }

    /** The final hidden states {@code [tokens, hidden]} (after the last norm) for int32 {@code tokens}. */
    Array forward(Array tokens, KvCache cache) {
        Array h = embedTokens.get().forward(tokens);
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h, cache, i);
        }
        return norm.get().forward(h);
    }
}
