package io.jmlx.backend;

import io.jmlx.DType;
import java.lang.foreign.MemorySegment;

/** Element type conversion ({@code astype}): half types round to nearest even, integers truncate. */
public interface ConversionKernels {

    /** {@code count} elements of {@code from} in {@code in} converted to {@code to} in {@code out}. */
    void convert(DType from, DType to, long count, MemorySegment in, MemorySegment out);
}
