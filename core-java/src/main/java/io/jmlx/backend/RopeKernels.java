package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/** Rotary position embedding; angles, sines and cosines in double precision, each result rounded once. */
public interface RopeKernels {

    /** {@code in} rotated as {@code spec} says into {@code out}; features from {@code dims} on are copied. */
    void rope(RopeSpec spec, MemorySegment in, MemorySegment out);
}
