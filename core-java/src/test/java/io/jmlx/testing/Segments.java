package io.jmlx.testing;

import io.jmlx.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Native memory for kernel tests, which call kernels on segments directly. */
public final class Segments {
    private Segments() {}

    /** Zeroed native memory for {@code n} elements of {@code dtype}, 64-byte aligned, freed when unreachable. */
    public static MemorySegment allocate(long n, DType dtype) {
        return Arena.ofAuto().allocate(Math.multiplyExact(n, dtype.byteSize()), 64);
    }
}
