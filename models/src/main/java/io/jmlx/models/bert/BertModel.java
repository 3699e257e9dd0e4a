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
 * {@link #forward(Array)} maps the token ids of one sentence {@code [n]} to its token states {@code [n, hidden]};
 * {@link #forward(Array, Array)} does the same for a batch of padded sentences {@code [batch, length]}, padding
 * masked out of attention.
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
        int n = ids.shape()[0];
        Array states = forward(ids.reshape(1, n), null);
        return states.reshape(n, states.shape()[2]);
    }

    /**
     * The token states {@code [batch, length, hidden]} of a batch of sentences: {@code ids} int32
     * {@code [batch, length]}, each row a sentence padded at its end; {@code mask} float32 of the same shape, 1 for
     * tokens and 0 for padding ({@code null}: no padding). Tokens attend to the tokens of their own sentence only, so
     * a sentence's states do not depend on the padding (up to float rounding).
     */
    public Array forward(Array ids, Array mask) {
        int[] shape = ids.shape();
        if (shape.length != 2 || (mask != null && !java.util.Arrays.equals(shape, mask.shape()))) {
            throw new IllegalArgumentException("ids must be [batch, length] and mask the same shape (or null), but "
                    + "they are " + io.jmlx.Shape.format(shape) + " and "
                    + (mask == null ? "null" : io.jmlx.Shape.format(mask.shape())));
        }
        Batch batch = new Batch(shape[0], shape[1], mask == null ? null : padding(mask, shape[0], shape[1]));
        Array states = encoder.get().forward(embeddings.get().forward(ids), batch);
        return states.reshape(shape[0], shape[1], states.shape()[1]);
    }

    /** A batch's sizes and the attention bias that hides its padding ({@code null}: none). */
    record Batch(int size, int length, Array bias) {}

    /** {@code [batch, 1, 1, length]}: 0 for tokens, −∞ for padding, added to every head's attention scores. */
    private static Array padding(Array mask, int size, int length) {
        float[] m = mask.astype(DType.FLOAT32).toFloatArray();
        float[] bias = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            bias[i] = m[i] == 0 ? Float.NEGATIVE_INFINITY : 0f;
        }
        return Array.of(bias, DType.FLOAT32, size, 1, 1, length);
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

        /** {@code [batch·length, hidden]} for ids {@code [batch, length]}: every sentence starts at position 0. */
        @Override
        public Array forward(Array ids) {
            int size = ids.shape()[0];
            int n = ids.shape()[1];
            int[] positionIds = new int[n];
            for (int i = 0; i < n; i++) {
                positionIds[i] = i;
            }
            Array perPosition = Jmlx.add(
                    positions.get().forward(Array.of(positionIds, DType.INT32, n)),
                    types.get().forward(Array.of(new int[n], DType.INT32, n)));
            Array x = Jmlx.add(words.get().forward(ids), perPosition);
            Array normed = norm.get().forward(x);
            return normed.reshape(size * n, normed.shape()[2]);
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
            return forward(x, new Batch(1, x.shape()[0], null));
        }

        /** {@code x}: {@code [batch·length, hidden]}. */
        Array forward(Array x, Batch batch) {
            for (TransformerLayer layer : layers) {
                x = layer.forward(x, batch);
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
            return forward(x, new Batch(1, x.shape()[0], null));
        }

        Array forward(Array x, Batch batch) {
            Array h = attention.get().forward(x, batch);
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
            return forward(x, new Batch(1, x.shape()[0], null));
        }

        Array forward(Array x, Batch batch) {
            return output.get().forward(self.get().forward(x, batch), x);
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
            return forward(x, new Batch(1, x.shape()[0], null));
        }

        /** {@code x}: {@code [batch·length, hidden]}; each sentence's tokens attend to that sentence's tokens. */
        Array forward(Array x, Batch batch) {
            Array q = split(query.get().forward(x), batch); // [batch, heads, n, headDim]
            Array k = split(key.get().forward(x), batch);
            Array v = split(value.get().forward(x), batch);
            float scale = (float) (1 / Math.sqrt(headDim));
            Array context = Jmlx.scaledDotProductAttention(q, k, v, scale, batch.bias()); // [batch, heads, n, headDim]
            return Jmlx.transpose(context, 0, 2, 1, 3).reshape(batch.size() * batch.length(), heads * headDim);
        }

        private Array split(Array x, Batch batch) {
            return Jmlx.transpose(x.reshape(batch.size(), batch.length(), heads, headDim), 0, 2, 1, 3);
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
