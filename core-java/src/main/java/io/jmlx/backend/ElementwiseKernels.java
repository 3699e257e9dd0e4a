package io.jmlx.backend;

import io.jmlx.DType;
import java.lang.foreign.MemorySegment;

/**
 * Elementwise math on float32, float16 or bfloat16 data; each result is rounded once to the type. Results are those
 * of the function computed in double precision and rounded to float32, then (for the half types) to {@code dtype}.
 */
public interface ElementwiseKernels {

    /** {@code out[i] = f(in[i])} for {@code count} elements of {@code dtype}. */
    void unary(UnaryFunction f, DType dtype, long count, MemorySegment in, MemorySegment out);

    /** {@code out = f(a, b)}, {@code a} and {@code b} broadcast to {@code shapes.out()}, all of {@code dtype}. */
    void binary(BinaryFunction f, Broadcast shapes, DType dtype, MemorySegment a, MemorySegment b, MemorySegment out);
}
