package io.jmlx.gpu;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Hears of each operation the GPU kernels record: a GPU stream tracks its ops' work and their segments with it. */
@FunctionalInterface
public interface GpuWorkListener {
    /** Ignores everything. */
    GpuWorkListener NONE = (work, reads, writes) -> {};

    /**
     * {@code work} completes when the operation has executed (exceptionally if it failed); it reads {@code reads}
     * and writes {@code writes} (the segments the caller passed).
     */
    void recorded(CompletableFuture<Void> work, List<MemorySegment> reads, List<MemorySegment> writes);
}
