package io.jmlx.kernels;

import io.jmlx.backend.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU backend's {@link Memory}: op outputs in native memory that is not zero-filled (kernels write every byte of
 * their outputs), freed when the segment is no longer reachable, as {@link Arena#ofAuto()}'s are.
 *
 * <p>Blocks come from C's {@code malloc} (aligned to 64 bytes within a slightly larger block). When a segment becomes
 * unreachable its block goes back to a pool of free blocks of its size ({@link #POOLED} bytes at most, the rest
 * freed), which the next allocation of that size takes: ops that run again and again with the same shapes reuse
 * memory that is already mapped. Like the JDK's direct memory, the bytes handed out and not yet returned are counted:
 * once they pass a limit (the Java heap's maximum, or twice what was still live after the last collection),
 * allocation runs the garbage collector and waits a moment for unreachable segments to come back, so that native
 * memory stays bounded by what the program really holds.
 *
 * <p>{@code -Djmlx.memory.poison=true} fills every new segment with 0xFF bytes (NaN as floats, −1 as integers), so
 * that a kernel leaving bytes of its output unwritten shows in results; the tests run with it.
 */
final class NativeBlocks implements Memory {
    /** System property: fill new segments with 0xFF bytes. */
    static final String POISON_PROPERTY = "jmlx.memory.poison";

    /** Free blocks kept for reuse, in bytes: 256 MiB. */
    static final long POOLED = 256L << 20;

    private static final long ALIGNMENT = 64;
    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        MALLOC = linker.downcallHandle(
                linker.defaultLookup().find("malloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(
                linker.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    private final boolean poison;
    private final long baseLimit;
    private final Map<Long, ArrayDeque<Long>> pool = new HashMap<>();
    private long pooled;
    /** Bytes of blocks handed out and not yet returned. */
    private long outstanding;

    private long limit;

    /** Memory with the heap's maximum as the first limit, poisoned when the system property says so. */
    NativeBlocks() {
        this(Boolean.getBoolean(POISON_PROPERTY), Runtime.getRuntime().maxMemory());
    }

    NativeBlocks(boolean poison, long limit) {
        this.poison = poison;
        this.baseLimit = limit;
        this.limit = limit;
    }

    @Override
    public MemorySegment allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes");
        }
        long blockBytes = bytes + ALIGNMENT;
        reserve(blockBytes);
        long raw = take(blockBytes);
        long aligned = (raw + ALIGNMENT - 1) & -ALIGNMENT;
        MemorySegment segment = MemorySegment.ofAddress(aligned)
                .reinterpret(bytes, Arena.ofAuto(), ignored -> release(raw, blockBytes));
        if (poison) {
            segment.fill((byte) 0xFF);
        }
        return segment;
    }

    /** Bytes handed out and not yet returned (for tests). */
    synchronized long outstanding() {
        return outstanding;
    }

    /** Bytes of free blocks kept for reuse (for tests). */
    synchronized long pooled() {
        return pooled;
    }

    /**
     * Counts {@code bytes} as handed out; past the limit, first collects garbage and waits (up to about half a
     * second) for unreachable segments to return their blocks, then raises the limit to twice what stayed live.
     */
    private void reserve(long bytes) {
        synchronized (this) {
            if (outstanding + bytes <= limit) {
                outstanding += bytes;
                return;
            }
        }
        System.gc();
        for (int attempt = 0; attempt < 9; attempt++) {
            synchronized (this) {
                if (outstanding + bytes <= limit) {
                    outstanding += bytes;
                    return;
                }
            }
            try {
                Thread.sleep(1L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (this) {
            outstanding += bytes;
            limit = Math.max(baseLimit, 2 * outstanding);
        }
    }

    /** A free block of {@code bytes} from the pool, or a new one. */
    private long take(long bytes) {
        synchronized (this) {
            ArrayDeque<Long> free = pool.get(bytes);
            if (free != null && !free.isEmpty()) {
                pooled -= bytes;
                return free.pop();
            }
        }
        MemorySegment block;
        try {
            block = (MemorySegment) MALLOC.invokeExact(bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("malloc failed", t);
        }
        if (block.address() == 0) {
            throw new OutOfMemoryError("malloc could not allocate " + bytes + " bytes for an op output");
        }
        return block.address();
    }

    /** Gives a block back (run when its segment becomes unreachable): into the pool, or freed when the pool is full. */
    private void release(long raw, long bytes) {
        synchronized (this) {
            outstanding -= bytes;
            if (outstanding < limit / 4) {
                limit = Math.max(baseLimit, limit / 2);
            }
            if (pooled + bytes <= POOLED) {
                pool.computeIfAbsent(bytes, b -> new ArrayDeque<>()).push(raw);
                pooled += bytes;
                return;
            }
        }
        try {
            FREE.invokeExact(MemorySegment.ofAddress(raw));
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
