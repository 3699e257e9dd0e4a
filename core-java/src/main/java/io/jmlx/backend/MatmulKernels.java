package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/** Dense matrix products. */
public interface MatmulKernels {

    /**
     * {@code out = a · b} for a floating {@code spec.dtype()}, accumulating in float32 (float64 for float64) and
     * rounding to the type once per element.
     */
    void matmul(MatmulSpec spec, MemorySegment a, MemorySegment b, MemorySegment out);
}
