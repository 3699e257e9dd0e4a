package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/** Dense matrix products, and attention (two batched products with a softmax between). */
public interface MatmulKernels {

    /**
     * {@code out = a · b} for a floating {@code spec.dtype()}, accumulating in float32 (float64 for float64) and
     * rounding to the type once per element.
     */
    void matmul(MatmulSpec spec, MemorySegment a, MemorySegment b, MemorySegment out);

    /**
     * Scaled dot-product attention as {@code spec} lays it out: for every batch and head
     * {@code out = softmax(scale · q · kᵀ + mask) · v} along the keys, sums in float32 (or wider), each output
     * rounded once to the type; {@code mask} is {@code null} for none.
     */
    void attention(
            AttentionSpec spec,
            MemorySegment q,
            MemorySegment k,
            MemorySegment v,
            MemorySegment mask,
            MemorySegment out);
}
