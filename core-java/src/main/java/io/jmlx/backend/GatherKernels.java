package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/** Gathering slices by index. */
public interface GatherKernels {

    /**
     * For each outer block, the slices {@code indices} names, in order. An index outside {@code [-axisSize,
     * axisSize)} throws {@link IndexOutOfBoundsException} naming it.
     */
    void take(TakeSpec spec, MemorySegment a, MemorySegment indices, MemorySegment out);
}
