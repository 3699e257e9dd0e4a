package io.jmlx.samples.llama;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.nn.Child;
import io.jmlx.nn.Layer;
import io.jmlx.nn.Module;
import io.jmlx.nn.RMSNorm;

/**
 * One Llama block, pre-norm with residuals: {@code h = x + self_attn(input_layernorm(x))}, then
 * {@code h + mlp(post_attention_layernorm(h))}.
 */
final class DecoderLayer extends Module {
    private final Child<Attention> attention;
    private final Child<Layer> mlp;
    private final Child<Layer> inputNorm;
    private final Child<Layer> postAttentionNorm;

    DecoderLayer(LlamaConfig c) {
        attention = addChild("self_attn", Attention.class, new Attention(c));
        mlp = addChild("mlp", Layer.class, new Mlp(c));
        inputNorm = addChild("input_layernorm", Layer.class, new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
        postAttentionNorm =
                addChild("post_attention_layernorm", Layer.class, new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
    }

    /** The block applied to {@code x} {@code [tokens, hidden]}, as layer {@code layer} of the cache. */
    Array forward(Array x, KvCache cache, int layer) {
        Array h = Jmlx.add(x, attention.get().forward(inputNorm.get().forward(x), cache, layer));
        return Jmlx.add(h, mlp.get().forward(postAttentionNorm.get().forward(h)));
    }
}
