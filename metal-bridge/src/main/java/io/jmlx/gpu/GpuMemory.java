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
 * segments from elsewhere (heap arrays, memory-mapped files, other native memory) are copied into a block by
 * {@link #stage}.
 *
 * <p>Small blocks (up to half a chunk) come in power-of-two sizes carved from 64 MiB buffers; larger ones get a
 * buffer each (rounded up to 1 MiB), kept for reuse up to {@link #LARGE_CACHE_BYTES} in all.
 */
public final class GpuMemory implements AutoCloseable {
    /** Size of the buffers small blocks are carved from. */
    public static final long CHUNK_BYTES = 64L << 20;
    /** Freed large buffers kept for reuse, at most this many bytes in all. */
    public static final long LARGE_CACHE_BYTES = 512L << 20;

    private static final long MIN_BLOCK = 256;
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
    private boolean closed;

    GpuMemory(VulkanDevice device) {
        this.device = device;
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
        long address;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("this GPU memory is closed");
            }
            address = size <= CHUNK_BYTES / 2 ? takeSmall(size) : takeLarge(size);
        }
        live.addAndGet(size);
        long blockSize = size;
        return MemorySegment.ofAddress(address)
                .reinterpret(Math.max(bytes, 0), Arena.ofAuto(), ignored -> release(address, blockSize));
    }

    /** Bytes in blocks handed out and not yet returned (reachable segments, rounded to their block sizes). */
    public long liveBytes() {
        return live.get();
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
