package io.jmlx.samples.llama;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import java.util.List;

/**
 * The keys and values each attention layer has already computed, so that generating one more token runs the model
 * on that token alone. Per layer: keys and values of shape {@code [kv_heads, tokens, head_dim]}, grown along the
 * token axis.
 */
public final class KvCache {
    private final Array[] keys;
    private final Array[] values;

    /** An empty cache for a model of {@code layers} layers. */
    public KvCache(int layers) {
        keys = new Array[layers];
        values = new Array[layers];
    }

    /** Number of tokens layer {@code layer} holds: the position of the next token it sees. */
    public int offset(int layer) {
        return keys[layer] == null ? 0 : keys[layer].dim(1);
    }

    /** Appends the new tokens' keys and values to layer {@code layer}; returns all of them, {@code {keys, values}}. */
    Array[] append(int layer, Array newKeys, Array newValues) {
        keys[layer] = keys[layer] == null ? newKeys : Jmlx.concatenate(List.of(keys[layer], newKeys), 1);
        values[layer] = values[layer] == null ? newValues : Jmlx.concatenate(List.of(values[layer], newValues), 1);
        return new Array[] {keys[layer], values[layer]};
    }
}
