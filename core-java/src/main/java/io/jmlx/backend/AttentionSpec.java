package io.jmlx.backend;

import io.jmlx.DType;

/**
 * The shape and type of one scaled dot-product attention: {@code q [batch, heads, queries, dims]}, {@code k} and
 * {@code v [batch, heads, keys, dims]}, the output shaped as q, all of {@code dtype}. An additive mask (when there is
 * one) has rows of {@code keys} contiguous elements of {@code dtype}; the row for batch {@code b}, head {@code h}
 * and query {@code i} starts at element {@code b·maskBatchStride + h·maskHeadStride + i·maskQueryStride} (a stride
 * of 0 where the mask broadcasts).
 */
public record AttentionSpec(
        int batch,
        int heads,
        int queries,
        int keys,
        int dims,
        float scale,
        long maskBatchStride,
        long maskHeadStride,
        long maskQueryStride,
        DType dtype) {

    /** Where the mask's row for batch {@code b}, head {@code h} and query {@code i} starts (elements). */
    public long maskRow(int b, int h, int i) {
        return b * maskBatchStride + h * maskHeadStride + i * maskQueryStride;
    }
}
