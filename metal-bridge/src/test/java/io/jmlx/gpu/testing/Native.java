package io.jmlx.gpu.testing;

import io.jmlx.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Plain native memory for test inputs and CPU reference outputs (not GPU memory). */
public final class Native {
    private Native() {}

    /** A zeroed segment of {@code count} elements of {@code dtype}, freed when unreachable. */
    public static MemorySegment allocate(long count, DType dtype) {
        return Arena.ofAuto().allocate(count * dtype.byteSize(), 64);
    }
}
