package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/**
 * Allocates the memory op outputs live in. Segments are host-addressable (for a GPU: host-visible memory mapped
 * into the process, as MLX's unified memory), aligned to at least 64 bytes, and freed when no longer reachable.
 * Kernels write every byte of their outputs, so their contents at allocation are unspecified.
 */
public interface Memory {

    /** A segment of {@code bytes} bytes. */
    MemorySegment allocate(long bytes);
}
