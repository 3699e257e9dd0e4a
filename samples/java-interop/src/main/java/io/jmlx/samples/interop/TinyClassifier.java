package io.jmlx.samples.interop;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.nn.Child;
import io.jmlx.nn.Embedding;
import io.jmlx.nn.Layer;
import io.jmlx.nn.Linear;

/**
 * A small model written the way a Java user writes one: token embeddings, averaged, a hidden linear layer and a
 * classification head. Children are declared as {@link Layer} so that quantization can swap them for their
 * quantized twins.
 */
public final class TinyClassifier extends Layer {
    private final Child<Layer> embed;
    private final Child<Layer> hidden;
    private final Child<Layer> head;

    /** A classifier over {@code vocab} tokens into {@code classes} classes. */
    public TinyClassifier(int vocab, int dims, int hiddenDims, int classes) {
        embed = addChild("embed", Layer.class, new Embedding(vocab, dims));
        hidden = addChild("hidden", Layer.class, new Linear(dims, hiddenDims));
        head = addChild("head", Layer.class, new Linear(hiddenDims, classes));
    }

    /** Class scores {@code [classes]} for a sequence of token ids {@code [n]}. */
    @Override
    public Array forward(Array tokens) {
        Array states = embed.get().forward(tokens); // [n, dims]
        int n = tokens.shape()[0];
        Array mean = Jmlx.matmul(Array.of(filled(n, 1f / n), 1, n), states); // [1, dims]
        return head.get().forward(hidden.get().forward(mean));
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
