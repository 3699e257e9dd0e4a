package io.jmlx.models.bert;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.nn.Child;
import io.jmlx.nn.Embedding;
import io.jmlx.nn.Layer;
import io.jmlx.nn.LayerNorm;
import io.jmlx.nn.Linear;
import io.jmlx.nn.Module;
import io.jmlx.nn.ModuleList;
import java.util.ArrayList;
import java.util.List;

/**
 * A BERT encoder built from jmlx {@code nn} layers, with the module paths of Hugging Face's {@code BertModel}
 * ({@code embeddings.word_embeddings}, {@code encoder.layer.0.attention.self.query}, …) so that its checkpoints —
 * and the weights {@link io.jmlx.io.onnx.OnnxWeights} recovers from an ONNX export — load as they are. Embedding and
 * linear children are declared as {@link Layer}, so model-level quantization can swap them for quantized twins.
 * {@link #forward} maps the token ids of one sentence {@code [n]} to its token states {@code [n, hidden]}.
 */
public final class BertModel extends Layer {
    private final Child<Embeddings> embeddings;
    private final Child<Encoder> encoder;

    /** A model of the given sizes, with zero weights until a checkpoint is loaded. */
    public BertModel(BertConfig config) {
        embeddings = addChild("embeddings", Embeddings.class, new Embeddings(config));
        encoder = addChild("encoder", Encoder.class, new Encoder(config));
    }

    @Override
    public Array forward(Array ids) {
        return encoder.get().forward(embeddings.get().forward(ids));
    }

    private static Linear linear(int in, int out) {
        return new Linear(Array.zeros(DType.FLOAT32, out, in), Array.zeros(DType.FLOAT32, out));
    }

    /** Word, position and token-type embeddings, summed and normalised. */
    static final class Embeddings extends Layer {
        private final Child<Layer> words;
        private final Child<Layer> positions;
        private final Child<Layer> types;
        private final Child<LayerNorm> norm;

        Embeddings(BertConfig c) {
            words = addChild(
                    "word_embeddings",
                    Layer.class,
                    new Embedding(Array.zeros(DType.FLOAT32, c.vocabSize(), c.hidden())));
            positions = addChild(
                    "position_embeddings",
                    Layer.class,
                    new Embedding(Array.zeros(DType.FLOAT32, c.maxPositions(), c.hidden())));
            types = addChild(
                    "token_type_embeddings",
                    Layer.class,
                    new Embedding(Array.zeros(DType.FLOAT32, c.typeVocabSize(), c.hidden())));
            norm = addChild("LayerNorm", LayerNorm.class, new LayerNorm(c.hidden(), c.layerNormEps(), true, true));
        }

        @Override
        public Array forward(Array ids) {
            int n = ids.shape()[0];
            int[] positionIds = new int[n];
            for (int i = 0; i < n; i++) {
                positionIds[i] = i;
            }
            Array x =
                    Jmlx.add(words.get().forward(ids), positions.get().forward(Array.of(positionIds, DType.INT32, n)));
            x = Jmlx.add(x, types.get().forward(Array.of(new int[n], DType.INT32, n)));
            return norm.get().forward(x);
        }
    }

    /** The stack of transformer layers. */
    static final class Encoder extends Layer {
        private final ModuleList<TransformerLayer> layers;

        Encoder(BertConfig c) {
            List<TransformerLayer> list = new ArrayList<>();
            for (int i = 0; i < c.layers(); i++) {
                list.add(new TransformerLayer(c));
            }
            layers = addModuleList("layer", TransformerLayer.class, list);
        }

        @Override
        public Array forward(Array x) {
            for (TransformerLayer layer : layers) {
                x = layer.forward(x);
            }
            return x;
        }
    }

    /** Self-attention and a GELU feed-forward block, each with a residual connection and a post-norm. */
    static final class TransformerLayer extends Layer {
        private final Child<Attention> attention;
        private final Child<Intermediate> intermediate;
        private final Child<Projection> output;

        TransformerLayer(BertConfig c) {
            attention = addChild("attention", Attention.class, new Attention(c));
            intermediate = addChild("intermediate", Intermediate.class, new Intermediate(c));
            output = addChild("output", Projection.class, new Projection(c.intermediate(), c.hidden(), c));
        }

        @Override
        public Array forward(Array x) {
            Array h = attention.get().forward(x);
            return output.get().forward(intermediate.get().forward(h), h);
        }
    }

    /** Multi-head self-attention ({@code self}) followed by its output projection and norm ({@code output}). */
    static final class Attention extends Layer {
        private final Child<SelfAttention> self;
        private final Child<Projection> output;

        Attention(BertConfig c) {
            self = addChild("self", SelfAttention.class, new SelfAttention(c));
            output = addChild("output", Projection.class, new Projection(c.hidden(), c.hidden(), c));
        }

        @Override
        public Array forward(Array x) {
            return output.get().forward(self.get().forward(x), x);
        }
    }

    /** Scaled dot-product attention over all tokens of the sentence, head by head. */
    static final class SelfAttention extends Layer {
        private final Child<Layer> query;
        private final Child<Layer> key;
        private final Child<Layer> value;
        private final int heads;
        private final int headDim;

        SelfAttention(BertConfig c) {
            query = addChild("query", Layer.class, linear(c.hidden(), c.hidden()));
            key = addChild("key", Layer.class, linear(c.hidden(), c.hidden()));
            value = addChild("value", Layer.class, linear(c.hidden(), c.hidden()));
            heads = c.heads();
            headDim = c.headDim();
        }

        @Override
        public Array forward(Array x) {
            int n = x.shape()[0];
            Array q = split(query.get().forward(x), n); // [heads, n, headDim]
            Array k = split(key.get().forward(x), n);
            Array v = split(value.get().forward(x), n);
            Array scale = Array.of(new float[] {(float) (1 / Math.sqrt(headDim))});
            Array scores = Jmlx.multiply(Jmlx.matmul(q, Jmlx.transpose(k, 0, 2, 1)), scale); // [heads, n, n]
            Array context = Jmlx.matmul(Jmlx.softmax(scores, -1), v); // [heads, n, headDim]
            return Jmlx.transpose(context, 1, 0, 2).reshape(n, heads * headDim);
        }

        private Array split(Array x, int n) {
            return Jmlx.transpose(x.reshape(n, heads, headDim), 1, 0, 2);
        }
    }

    /** The feed-forward expansion with BERT's exact (erf) GELU. */
    static final class Intermediate extends Layer {
        private final Child<Layer> dense;

        Intermediate(BertConfig c) {
            dense = addChild("dense", Layer.class, linear(c.hidden(), c.intermediate()));
        }

        @Override
        public Array forward(Array x) {
            return Jmlx.gelu(dense.get().forward(x));
        }
    }

    /** A projection back to the hidden width, added to the residual and normalised. */
    static final class Projection extends Module {
        private final Child<Layer> dense;
        private final Child<LayerNorm> norm;

        Projection(int in, int out, BertConfig c) {
            dense = addChild("dense", Layer.class, linear(in, out));
            norm = addChild("LayerNorm", LayerNorm.class, new LayerNorm(out, c.layerNormEps(), true, true));
        }

        Array forward(Array x, Array residual) {
            return norm.get().forward(Jmlx.add(dense.get().forward(x), residual));
        }
    }
}
