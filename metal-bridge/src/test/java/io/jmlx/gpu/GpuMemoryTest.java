package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import io.jmlx.gpu.testing.Native;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.ScalarKernels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU memory seen from Java: segments the kernels write are read in place, slices are located in their buffer,
 * segments from elsewhere (the Java heap, other native memory, unaligned slices) go through staging in both
 * directions (host copies for foreign memory, GPU copies for GPU memory a binding cannot start at), memory-mapped
 * weights are uploaded once, and memory returns to the pool when its segments become unreachable, soon enough that
 * churn does not grow it without bound.
 */
class GpuMemoryTest {

    @Test
    void allocationsAreZeroedAndLocatedWithTheirSlices() {
        GpuMemory memory = TestGpu.get().memory();
        MemorySegment a = memory.allocate(1000);
        MemorySegment big = memory.allocate(40L << 20);
        assertEquals(-1, a.mismatch(MemorySegment.ofArray(new byte[1000])));
        GpuMemory.Location whole = memory.locate(a).orElseThrow();
        GpuMemory.Location slice = memory.locate(a.asSlice(64, 100)).orElseThrow();
        assertEquals(whole.buffer(), slice.buffer());
        assertEquals(whole.offset() + 64, slice.offset());
        assertTrue(whole.available() >= 1000);
        assertNotEquals(whole.buffer(), memory.locate(big).orElseThrow().buffer(), "a large block has its own buffer");
        assertFalse(memory.locate(MemorySegment.ofArray(new float[4])).isPresent(), "heap segments are not GPU memory");
        try (Arena arena = Arena.ofConfined()) {
            assertFalse(memory.locate(arena.allocate(64)).isPresent(), "other native memory is not GPU memory");
        }
    }

    @Test
    void kernelsReadAndWriteSegmentsFromAnywhere() {
        Gpu gpu = TestGpu.get();
        int rows = 16;
        int cols = 128;
        ScalarKernels cpu = new ScalarKernels();
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16}) {
            MemorySegment w = Native.allocate((long) rows * cols, t);
            for (int i = 0; i < rows * cols; i++) {
                Elements.setFloat(w, t, i, (float) Math.sin(i * 0.37) * (i % 7));
            }
            MemorySegment packed = Native.allocate(rows * cols / 8, DType.UINT32);
            cpu.affineQuantize(
                    w, t, rows, cols, 64, 4, packed, Native.allocate(rows * 2, t), Native.allocate(rows * 2, t));

            // Inputs: on the Java heap (copied in by the host), and in GPU memory 2 bytes past a block's start (bound
            // in place for float16; copied on the GPU for float32, which a binding cannot start there).
            MemorySegment heapInput = MemorySegment.ofArray(w.toArray(ValueLayout.JAVA_BYTE));
            MemorySegment oddInput = gpu.memory().allocate(w.byteSize() + 2).asSlice(2);
            oddInput.copyFrom(w);
            // Outputs: GPU memory at an aligned offset (written in place), at an unaligned one and on the heap
            // (written to a copy, copied back).
            List<MemorySegment> outputs = new ArrayList<>();
            outputs.add(gpu.memory().allocate(packed.byteSize() + 256).asSlice(256, packed.byteSize()));
            outputs.add(gpu.memory().allocate(packed.byteSize() + 1).asSlice(1));
            outputs.add(MemorySegment.ofArray(new int[rows * cols / 8]));
            for (MemorySegment input : List.of(heapInput, oddInput)) {
                for (MemorySegment out : outputs) {
                    out.fill((byte) 0x55);
                    gpu.kernels()
                            .affineQuantize(
                                    input,
                                    t,
                                    rows,
                                    cols,
                                    64,
                                    4,
                                    out,
                                    gpu.memory().allocate(rows * 2L * t.byteSize()),
                                    gpu.memory().allocate(rows * 2L * t.byteSize()));
                    assertEquals(-1, packed.mismatch(out.asSlice(0, packed.byteSize())), t + " packed codes");
                }
            }
        }
    }

    @Test
    void unreachableSegmentsReturnToThePool() throws InterruptedException {
        GpuMemory memory = TestGpu.get().memory();
        System.gc();
        Thread.sleep(100);
        long before = memory.liveBytes();
        for (int i = 0; i < 200; i++) {
            memory.allocate(1 << 20).set(ValueLayout.JAVA_INT, 0, i);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (memory.liveBytes() > before + (16L << 20) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(
                memory.liveBytes() <= before + (16L << 20), "live bytes " + memory.liveBytes() + " before " + before);
    }

    @Test
    void allocationsBeyondTheReclaimThresholdReuseTheBlocksOfUnreachableSegments() {
        Gpu gpu = TestGpu.get();
        try (GpuMemory memory = new GpuMemory(gpu.device(), 64L << 20)) {
            // 640 MiB allocated in 1 MiB blocks, each dropped at once, and no explicit collection: without the
            // threshold every block would be new memory until the collector happened to run.
            for (int i = 0; i < 640; i++) {
                memory.allocate(1 << 20).set(ValueLayout.JAVA_INT, 0, i);
            }
            assertTrue(memory.reservedBytes() <= 3 * (64L << 20), memory.reservedBytes() + " bytes reserved");
        }
    }

    @Test
    void mappedWeightsAreUploadedOnceWhileTheirMappingLives(@TempDir Path dir) throws IOException {
        Gpu gpu = TestGpu.get();
        Path file = dir.resolve("weights.bin");
        Files.write(file, new byte[3000]);
        GpuMemory memory = gpu.memory();
        long cached;
        try (Arena arena = Arena.ofShared();
                FileChannel channel = FileChannel.open(file)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, 3000, arena);
            MemorySegment weight = mapped.asSlice(1000, 2000);
            assertTrue(GpuMemory.isUploadCacheable(weight));
            assertFalse(GpuMemory.isUploadCacheable(Native.allocate(10, DType.UINT8)), "writable memory may change");
            MemorySegment copy = memory.uploadCached(weight);
            cached = memory.uploadedBytes();
            assertTrue(cached >= 2000, cached + " bytes cached");
            assertEquals(copy.address(), memory.uploadCached(weight).address(), "the same copy, uploaded once");
            assertEquals(cached, memory.uploadedBytes(), "nothing uploaded again");
            assertEquals(-1, copy.mismatch(weight));
        }
        // The mapping is gone: the next upload frees its copy (and those of other closed mappings).
        try (Arena arena = Arena.ofShared();
                FileChannel channel = FileChannel.open(file)) {
            memory.uploadCached(channel.map(FileChannel.MapMode.READ_ONLY, 0, 100, arena));
            assertTrue(memory.uploadedBytes() <= cached - 2000 + 100, memory.uploadedBytes() + " bytes cached");
        }
    }
}
