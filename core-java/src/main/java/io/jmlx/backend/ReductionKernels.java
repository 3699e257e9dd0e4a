package io.jmlx.backend;

import io.jmlx.DType;
import java.lang.foreign.MemorySegment;

/** Reductions along an axis and softmax, on float32, float16 or bfloat16 input. */
public interface ReductionKernels {

    /**
     * One value per line of {@code in} (of {@code inType}) into {@code out} (of {@code outType}: the input's type,
     * uint32 for argmax), computed as {@link Reduction} says and rounded once.
     */
    void reduce(Reduction r, AxisLines lines, DType inType, MemorySegment in, DType outType, MemorySegment out);

    /**
     * {@code exp(x − max) / Σ exp(x − max)} along each line, in double precision, rounded once per element to
     * {@code dtype}; a line of −∞ only gives NaN.
     */
    void softmax(AxisLines lines, DType dtype, MemorySegment in, MemorySegment out);
}
