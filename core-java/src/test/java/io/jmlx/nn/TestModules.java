package io.jmlx.nn;

import io.jmlx.Array;
import java.util.List;

/** Small user-defined modules for the nn tests, built the way users build theirs. */
final class TestModules {
    private TestModules() {}

    /** A ReLU with no parameters: a leaf that cannot be quantized. */
    static final class Relu extends Layer {
        @Override
        public Array forward(Array x) {
            float[] v = x.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.max(0, v[i]);
            }
            return Array.of(v, x.dtype(), x.shape());
        }
    }

    /** Two linear layers with a ReLU between them, declared as {@link Layer} so that they can be quantized. */
    static final class Mlp extends Layer {
        final Child<Layer> upProj;
        final Child<Layer> act;
        final Child<Layer> downProj;

        Mlp(int dims, int hidden) {
            upProj = addChild("up_proj", Layer.class, new Linear(dims, hidden, false));
            act = addChild("act", Layer.class, new Relu());
            downProj = addChild("down_proj", Layer.class, new Linear(hidden, dims));
        }

        @Override
        public Array forward(Array x) {
            return downProj.get().forward(act.get().forward(upProj.get().forward(x)));
        }
    }

    /** A block with a norm-like parameter of its own and an MLP child. */
    static final class Block extends Layer {
        final Parameter gain;
        final Child<Mlp> mlp;

        Block(int dims, int hidden) {
            gain = addParameter("gain", Array.of(new float[dims], dims));
            mlp = addChild("mlp", Mlp.class, new Mlp(dims, hidden));
        }

        @Override
        public Array forward(Array x) {
            return mlp.get().forward(x);
        }
    }

    /** A decoder-like stack: {@code embed_tokens}, {@code layers.i}, with an untied {@code lm_head} beside it. */
    static final class Decoder extends Module {
        final Child<Layer> embedTokens;
        final ModuleList<Block> layers;

        Decoder(int vocab, int dims, int hidden, int depth) {
            embedTokens = addChild("embed_tokens", Layer.class, new Embedding(vocab, dims));
            Block[] blocks = new Block[depth];
            for (int i = 0; i < depth; i++) {
                blocks[i] = new Block(dims, hidden);
            }
            layers = addModuleList("layers", Block.class, List.of(blocks));
        }
    }

    /** mlx-lm's layout: {@code model.embed_tokens}, {@code model.layers.i.mlp.*}, {@code lm_head}. */
    static final class CausalLm extends Layer {
        final Child<Decoder> model;
        final Child<Layer> lmHead;

        CausalLm(int vocab, int dims, int hidden, int depth) {
            model = addChild("model", Decoder.class, new Decoder(vocab, dims, hidden, depth));
            lmHead = addChild("lm_head", Layer.class, new Linear(dims, vocab, false));
        }

        @Override
        public Array forward(Array tokens) {
            Decoder d = model.get();
            Array h = d.embedTokens.get().forward(tokens);
            for (Block b : d.layers) {
                h = b.forward(h);
            }
            return lmHead.get().forward(h);
        }
    }
}
