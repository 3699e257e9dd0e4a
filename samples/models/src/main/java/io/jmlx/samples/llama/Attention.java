package io.jmlx.samples.llama;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.nn.Child;
import io.jmlx.nn.Layer;
import io.jmlx.nn.Linear;
import io.jmlx.nn.Module;
import io.jmlx.nn.RoPE;

/**
 * Llama's causal self-attention with grouped queries: {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code o_proj}
 * (no biases), rotary positions on queries and keys, and {@code num_heads / num_kv_heads} query heads sharing each
 * key/value head.
 */
final class Attention extends Module {
    private final Child<Layer> q;
    private final Child<Layer> k;
    private final Child<Layer> v;
    private final Child<Layer> o;
    private final RoPE rope;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Array scale;

    Attention(LlamaConfig c) {
        heads = c.numHeads();
        kvHeads = c.numKvHeads();
        headDim = c.headDim();
        q = addChild("q_proj", Layer.class, new Linear(c.hiddenSize(), heads * headDim, false));
        k = addChild("k_proj", Layer.class, new Linear(c.hiddenSize(), kvHeads * headDim, false));
        v = addChild("v_proj", Layer.class, new Linear(c.hiddenSize(), kvHeads * headDim, false));
        o = addChild("o_proj", Layer.class, new Linear(heads * headDim, c.hiddenSize(), false));
        rope = new RoPE(headDim, c.ropeTraditional(), c.ropeTheta(), 1);
        scale = Array.of(new float[] {(float) (1 / Math.sqrt(headDim))}, new int[0]);
    }

    /** The attention output for {@code x} {@code [tokens, hidden]}, attending to the cached tokens and themselves. */
    Array forward(Array x, KvCache cache, int layer) {
        int tokens = x.dim(0);
        int offset = cache.offset(layer);
        Array queries = rope.forward(heads(q.get().forward(x), heads, tokens), offset);
        Array newKeys = rope.forward(heads(k.get().forward(x), kvHeads, tokens), offset);
        Array[] kv = cache.append(layer, newKeys, heads(v.get().forward(x), kvHeads, tokens));
        int total = offset + tokens;
        int group = heads / kvHeads;
        // Grouped queries: [kv_heads, group, tokens, d] against keys [kv_heads, 1, total, d], broadcast over group.
        Array grouped = Jmlx.multiply(queries, scale).reshape(kvHeads, group, tokens, headDim);
        Array keysT = Jmlx.matrixTranspose(kv[0]).reshape(kvHeads, 1, headDim, total);
        Array scores = Jmlx.matmul(grouped, keysT);
        if (tokens > 1) {
            scores = Jmlx.add(scores, causalMask(tokens, offset));
        }
        Array weights = Jmlx.softmax(scores, -1);
        Array mixed =
                Jmlx.matmul(weights, kv[1].reshape(kvHeads, 1, total, headDim)).reshape(heads, tokens, headDim);
        return o.get().forward(Jmlx.swapaxes(mixed, 0, 1).reshape(tokens, heads * headDim));
    }

    /** {@code [tokens, width]} split into heads: {@code [heads, tokens, head_dim]}. */
    private Array heads(Array projected, int count, int tokens) {
        return Jmlx.swapaxes(projected.reshape(tokens, count, headDim), 0, 1);
    }

    /** 0 where query {@code i} (at position {@code offset + i}) may see key {@code j}, −∞ for later keys. */
    private static Array causalMask(int tokens, int offset) {
        int total = offset + tokens;
        float[] mask = new float[tokens * total];
        for (int i = 0; i < tokens; i++) {
            for (int j = offset + i + 1; j < total; j++) {
                mask[i * total + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return Array.of(mask, DType.FLOAT32, tokens, total);
    }
}
