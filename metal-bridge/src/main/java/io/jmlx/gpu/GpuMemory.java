package io.jmlx.gpu;

import io.jmlx.gpu.vulkan.HostBuffer;
import io.jmlx.gpu.vulkan.VulkanDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host-visible GPU memory handed out as {@link MemorySegment}s: what a kernel writes there, Java reads directly
 * (and the other way round), as with MLX's unified memory. A segment returns to a pool when it becomes unreachable
 * (a cleaner, like {@code Arena.ofAuto()}), and later allocations reuse pooled blocks. {@link #locate} finds the
 * buffer and offset of any segment inside this memory (slices included), so kernels bind it without a copy;
 * segments from elsewhere (heap arrays, other native memory) are copied into a block by {@link #stage}, and
 * memory-mapped read-only segments (checkpoint weights) once, by {@link #uploadCached}.
 *
 * <p>Small blocks (up to half a chunk) come in power-of-two sizes carved from 64 MiB buffers; larger ones get a
 * buffer each (rounded up to 1 MiB), kept for reuse up to {@link #LARGE_CACHE_BYTES} in all.
 *
 * <p>Blocks come back when the garbage collector finds their segments unreachable, which it does not hurry to do:
 * GPU memory is invisible to it. So, as {@code java.nio} does for direct buffers, an allocation that would grow the
 * reserved memory past a threshold ({@link #RECLAIM_BYTES}, or {@code -Djmlx.gpu.reclaimBytes}) first asks for a
 * collection and waits briefly for blocks to come back; only when none does is new memory reserved, and the
 * threshold doubled. Memory thus stays within about twice what is live.
 */
public final class GpuMemory implements AutoCloseable {
    /** Size of the buffers small blocks are carved from. */
    public static final long CHUNK_BYTES = 64L << 20;
    /** Freed large buffers kept for reuse, at most this many bytes in all. */
    public static final long LARGE_CACHE_BYTES = 512L << 20;

    /** The least reserved memory at which allocations first try to get unreachable blocks back. */
    public static final long RECLAIM_BYTES = Long.getLong("jmlx.gpu.reclaimBytes", 256L << 20);

    private static final long MIN_BLOCK = 256;
    private static final long RECLAIM_WAIT_MILLIS = 100;
    private static final long LARGE_GRANULE = 1L << 20;

    /** Where a segment lives: the buffer, the byte offset in it, and the bytes from there to the block's end. */
    public record Location(long buffer, long offset, long available) {}

    /** One VkBuffer this memory owns, by the mapped address of its first byte. */
    private record Region(HostBuffer buffer, long address) {
        long end() {
            return address + buffer.size();
        }
    }

    private final VulkanDevice device;
    private final long alignment;
    private final TreeMap<Long, Region> regions = new TreeMap<>();
    private final Map<Long, ArrayDeque<Long>> freeSmall = new HashMap<>();
    private final Map<Long, ArrayDeque<Region>> freeLarge = new HashMap<>();
    private final List<Region> chunks = new ArrayList<>();
    private long chunkUsed = CHUNK_BYTES;
    private long cachedLarge;
    private final AtomicLong live = new AtomicLong();
    private long reserved;
    private long reclaimAt;
    private final Map<UploadKey, Upload> uploads = new HashMap<>();
    private long uploadedBytes;
    private boolean closed;

    /** A memory-mapped segment by address and size. */
    private record UploadKey(long address, long bytes) {}

    /** The GPU copy of a memory-mapped segment, valid while the mapping's scope is alive. */
    private record Upload(MemorySegment.Scope scope, MemorySegment copy) {}

    GpuMemory(VulkanDevice device) {
        this(device, RECLAIM_BYTES);
    }

    /** Memory whose allocations first try to get unreachable blocks back at {@code reclaimBytes} reserved. */
    GpuMemory(VulkanDevice device, long reclaimBytes) {
        this.device = device;
        this.reclaimAt = reclaimBytes;
        this.alignment = Math.max(MIN_BLOCK, device.physical().minStorageBufferOffsetAlignment());
    }

    /** A zeroed segment of {@code bytes} bytes in GPU-visible memory, returned to the pool when unreachable. */
    public MemorySegment allocate(long bytes) {
        return allocateUninitialized(bytes).fill((byte) 0);
    }

    /** As {@link #allocate}, without zeroing (for outputs a kernel writes completely). */
    public MemorySegment allocateUninitialized(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes");
        }
        long size = blockSize(bytes);
        long pooled = take(size, false);
        if (pooled == 0) {
            reclaim(size);
        }
        long address = pooled != 0 ? pooled : take(size, true);
        live.addAndGet(size);
        return MemorySegment.ofAddress(address)
                .reinterpret(Math.max(bytes, 0), Arena.ofAuto(), ignored -> release(address, size));
    }

    /** Bytes in blocks handed out and not yet returned (reachable segments, rounded to their block sizes). */
    public long liveBytes() {
        return live.get();
    }

    /** Bytes of GPU buffers this memory holds: blocks handed out, pooled for reuse, and not yet carved. */
    public synchronized long reservedBytes() {
        return reserved;
    }

    /** Bytes of memory-mapped segments the upload cache holds a GPU copy of. */
    public synchronized long uploadedBytes() {
        return uploadedBytes;
    }

    /**
     * Whether {@link #uploadCached} may keep a copy of {@code segment}: memory-mapped read-only memory, such as the
     * weights of an open checkpoint, which does not change while it stays mapped (unless another process rewrites
     * the file in place, which jmlx's writers never do: they write a new file and rename it).
     */
    public static boolean isUploadCacheable(MemorySegment segment) {
        return segment.isNative() && segment.isMapped() && segment.isReadOnly();
    }

    /**
     * The GPU copy of a memory-mapped read-only segment (see {@link #isUploadCacheable}), made on first use and kept
     * while the mapping is alive, so that checkpoint weights are uploaded once however many ops read them. Copies of
     * mappings that have been closed are freed when the next copy is made.
     */
    public MemorySegment uploadCached(MemorySegment segment) {
        if (!isUploadCacheable(segment)) {
            throw new IllegalArgumentException("only memory-mapped read-only segments are cached, not " + segment);
        }
        UploadKey key = new UploadKey(segment.address(), segment.byteSize());
        synchronized (this) {
            Upload cached = uploads.get(key);
            if (cached != null && cached.scope().isAlive() && cached.scope().equals(segment.scope())) {
                return cached.copy();
            }
            uploads.entrySet().removeIf(e -> {
                boolean dead = !e.getValue().scope().isAlive();
                if (dead) {
                    uploadedBytes -= e.getKey().bytes();
                }
                return dead;
            });
        }
        MemorySegment copy = stage(segment);
        synchronized (this) {
            if (uploads.put(key, new Upload(segment.scope(), copy)) == null) {
                uploadedBytes += key.bytes();
            }
        }
        return copy;
    }

    /** The buffer holding {@code segment}, when it lies in this memory. */
    public Optional<Location> locate(MemorySegment segment) {
        if (!segment.isNative()) {
            return Optional.empty();
        }
        long address = segment.address();
        synchronized (this) {
            Map.Entry<Long, Region> e = regions.floorEntry(address);
            if (e == null || address + segment.byteSize() > e.getValue().end()) {
                return Optional.empty();
            }
            Region r = e.getValue();
            return Optional.of(new Location(r.buffer().buffer(), address - r.address(), r.end() - address));
        }
    }

    /** A copy of {@code segment} in this memory (a staging upload; one memcpy, since the memory is mapped). */
    public MemorySegment stage(MemorySegment segment) {
        MemorySegment copy = allocateUninitialized(segment.byteSize());
        copy.copyFrom(segment);
        return copy;
    }

    /** Block size for a request: powers of two for small blocks, whole MiB for large ones. */
    private long blockSize(long bytes) {
        long size = Math.max(bytes, alignment);
        if (size <= CHUNK_BYTES / 2) {
            return Long.highestOneBit(size - 1) << 1;
        }
        return (size + LARGE_GRANULE - 1) / LARGE_GRANULE * LARGE_GRANULE;
    }

    /**
     * The address of a block of {@code size} bytes: a pooled one, else new memory when {@code grow} or when that
     * keeps the reserved bytes within the reclaim threshold; 0 when only growth beyond it would serve.
     */
    private synchronized long take(long size, boolean grow) {
        if (closed) {
            throw new IllegalStateException("this GPU memory is closed");
        }
        boolean small = size <= CHUNK_BYTES / 2;
        ArrayDeque<Long> freeBlocks = small ? freeSmall.get(size) : null;
        ArrayDeque<Region> freeRegions = small ? null : freeLarge.get(size);
        boolean pooled = small
                ? (freeBlocks != null && !freeBlocks.isEmpty()) || chunkUsed + size <= CHUNK_BYTES
                : freeRegions != null && !freeRegions.isEmpty();
        long growth = small ? CHUNK_BYTES : size;
        if (!pooled && reserved + growth > reclaimAt) {
            if (!grow) {
                return 0;
            }
            reclaimAt = 2 * (reserved + growth); // collecting did not help: this much is live
        }
        return small ? takeSmall(size) : takeLarge(size);
    }

    /**
     * Lets the garbage collector return the blocks of unreachable segments: a collection, then up to
     * {@link #RECLAIM_WAIT_MILLIS} for the cleaners to bring back a block of {@code size} bytes.
     */
    private void reclaim(long size) {
        System.gc();
        long deadline = System.nanoTime() + RECLAIM_WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline && !hasFree(size)) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized boolean hasFree(long size) {
        if (size <= CHUNK_BYTES / 2) {
            ArrayDeque<Long> free = freeSmall.get(size);
            return free != null && !free.isEmpty();
        }
        ArrayDeque<Region> free = freeLarge.get(size);
        return free != null && !free.isEmpty();
    }

    private long takeSmall(long size) {
        ArrayDeque<Long> free = freeSmall.get(size);
        if (free != null && !free.isEmpty()) {
            return free.pop();
        }
        if (chunkUsed + size > CHUNK_BYTES) {
            Region chunk = newRegion(CHUNK_BYTES);
            chunks.add(chunk);
            chunkUsed = 0;
        }
        long address = chunks.getLast().address() + chunkUsed;
        chunkUsed += size;
        return address;
    }

    private long takeLarge(long size) {
        ArrayDeque<Region> free = freeLarge.get(size);
        if (free != null && !free.isEmpty()) {
            cachedLarge -= size;
            return free.pop().address();
        }
        return newRegion(size).address();
    }

    private Region newRegion(long size) {
        HostBuffer buffer = device.createHostBuffer(size);
        Region region = new Region(buffer, buffer.mapped().address());
        regions.put(region.address(), region);
        reserved += size;
        return region;
    }

    private synchronized void release(long address, long size) {
        live.addAndGet(-size);
        if (closed) {
            return;
        }
        if (size <= CHUNK_BYTES / 2) {
            freeSmall.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
            return;
        }
        Region region = regions.get(address);
        if (cachedLarge + size <= LARGE_CACHE_BYTES) {
            freeLarge.computeIfAbsent(size, s -> new ArrayDeque<>()).push(region);
            cachedLarge += size;
        } else {
            regions.remove(address);
            reserved -= size;
            region.buffer().close();
        }
    }

    /** Frees every buffer; segments still reachable must no longer be used. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            regions.values().forEach(r -> r.buffer().close());
            regions.clear();
        }
    }
}
