package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import io.jmlx.backend.AxisLines;
import io.jmlx.backend.BinaryFunction;
import io.jmlx.backend.Broadcast;
import io.jmlx.backend.Kernels;
import io.jmlx.backend.MatmulSpec;
import io.jmlx.backend.NormSpec;
import io.jmlx.backend.Reduction;
import io.jmlx.backend.RopeSpec;
import io.jmlx.backend.StridedCopy;
import io.jmlx.backend.TakeSpec;
import io.jmlx.backend.UnaryFunction;
import io.jmlx.gpu.testing.Native;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.kernels.CpuBackend;
import io.jmlx.kernels.Elements;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every family at the device's limits: kernels that believe a binding covers only a few KiB and a dispatch
 * dimension only two work groups split their work and still give the CPU kernels' results; and on the real
 * limits, more than 65535 work groups in one dispatch and arrays beyond the 128 MiB a lavapipe binding covers
 * (split, or refused with a clear error where one operand must fit a binding).
 */
class LimitsOnGpuTest {
    private static final Kernels CPU =
            new CpuBackend().device(0).newStream("reference").kernels();

    /** The families of a dispatcher limited to {@code bindingBytes} per binding and 2 work groups per dimension. */
    private record Limited(Kernels kernels, List<CompletableFuture<Void>> work, Dispatcher dispatcher) {
        static Limited of(long bindingBytes) {
            List<CompletableFuture<Void>> work = new ArrayList<>();
            Dispatcher d = TestGpu.get().dispatcher(bindingBytes, 2, (future, reads, writes) -> work.add(future));
            return new Limited(
                    Gpu.streamKernels(d, CPU.conversion(), CPU.matmul()).kernels(), work, d);
        }

        /** Runs {@code call}, then waits for what it recorded. */
        void run(Consumer<Kernels> call) {
            call.accept(kernels);
            work.forEach(dispatcher::await);
            work.clear();
        }
    }

    private static MemorySegment random(long seed, DType t, long count) {
        Random r = new Random(seed);
        MemorySegment s = Native.allocate(count, t);
        for (long i = 0; i < count; i++) {
            Elements.setFloat(s, t, i, (float) r.nextGaussian() * 3);
        }
        return s;
    }

    private static void same(MemorySegment want, MemorySegment got, String what) {
        assertEquals(-1, want.mismatch(got), what);
    }

    @Test
    void everyFamilySplitsItsWorkAndStillGivesTheCpuResults() {
        Limited small = Limited.of(4 << 10);
        DType t = DType.BFLOAT16; // 16-bit elements: blocks must start on whole words
        int rows = 301;
        int cols = 37;
        long n = (long) rows * cols;
        MemorySegment x = random(1, t, n);
        MemorySegment y = random(2, t, cols);
        MemorySegment want = Native.allocate(n, t);
        // GPU memory full of a pattern no result has: an element a kernel failed to write shows.
        MemorySegment got = TestGpu.get().memory().allocate(2 * n).fill((byte) 0x7F);

        CPU.elementwise().unary(UnaryFunction.SILU, t, n, x, want);
        got.fill((byte) 0x7F);
        small.run(k -> k.elementwise().unary(UnaryFunction.SILU, t, n, x, got));
        same(want, got, "silu");

        Broadcast shapes = new Broadcast(new int[] {rows, cols}, new int[] {rows, cols}, new int[] {cols});
        CPU.elementwise().binary(BinaryFunction.DIVIDE, shapes, t, x, y, want);
        got.fill((byte) 0x7F);
        small.run(k -> k.elementwise().binary(BinaryFunction.DIVIDE, shapes, t, x, y, got));
        same(want, got, "divide, broadcast");

        MemorySegment wantI = Native.allocate(n, DType.INT8);
        MemorySegment gotI = Native.allocate(n, DType.INT8);
        CPU.conversion().convert(t, DType.INT8, n, x, wantI);
        small.run(k -> k.conversion().convert(t, DType.INT8, n, x, gotI));
        same(wantI, gotI, "astype int8");

        // Along the middle axis of [7, 43, 37]: whole outer blocks (43 x 37) per dispatch.
        AxisLines lines = AxisLines.of(new int[] {7, 43, cols}, 1);
        MemorySegment wantR = Native.allocate(7L * cols, t);
        MemorySegment gotR = Native.allocate(7L * cols, t);
        CPU.reductions().reduce(Reduction.LOGSUMEXP, lines, t, x, t, wantR);
        small.run(k -> k.reductions().reduce(Reduction.LOGSUMEXP, lines, t, x, t, gotR));
        same(wantR, gotR, "logsumexp along the middle axis");
        // One outer block larger than a binding cannot be split (its lines are strided across it): refused.
        AxisLines columns = AxisLines.of(new int[] {rows, cols}, 0);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> small.run(k -> k.reductions().reduce(Reduction.SUM, columns, t, x, t, gotR)));
        assertTrue(
                e.getMessage()
                        .startsWith("one row needs 22274 bytes, more than one storage-buffer binding may " + "cover"),
                e.getMessage());
        AxisLines rowLines = AxisLines.of(new int[] {rows, cols}, 1);
        CPU.reductions().softmax(rowLines, t, x, want);
        got.fill((byte) 0x7F);
        small.run(k -> k.reductions().softmax(rowLines, t, x, got));
        same(want, got, "softmax of every row");

        NormSpec norm = new NormSpec(rows, cols, 1e-5f, t, t, null, t);
        CPU.norms().rmsNorm(norm, x, y, want);
        got.fill((byte) 0x7F);
        small.run(k -> k.norms().rmsNorm(norm, x, y, got));
        same(want, got, "rms_norm");

        RopeSpec rope = new RopeSpec(rows, 7, cols - 1, 24, false, 10000f, 1f, 5, t);
        long ropeCount = (long) rows * (cols - 1);
        CPU.rope().rope(rope, x, want.asSlice(0, ropeCount * 2));
        got.fill((byte) 0x7F);
        small.run(k -> k.rope().rope(rope, x, got.asSlice(0, ropeCount * 2)));
        same(want.asSlice(0, ropeCount * 2), got.asSlice(0, ropeCount * 2), "rope");

        MemorySegment indices = MemorySegment.ofArray(new int[] {300, -1, 17, 0, 150});
        TakeSpec take = new TakeSpec(1, rows, cols * 2L, 5, DType.INT32, 0);
        CPU.gather().take(take, x, indices, want.asSlice(0, 5L * cols * 2));
        got.fill((byte) 0x7F);
        small.run(k -> k.gather().take(take, x, indices, got.asSlice(0, 5L * cols * 2)));
        same(want.asSlice(0, 5L * cols * 2), got.asSlice(0, 5L * cols * 2), "take");

        CPU.copies().transposeMatrices(1, rows, cols, 2, x, want);
        got.fill((byte) 0x7F);
        small.run(k -> k.copies().transposeMatrices(1, rows, cols, 2, x, got));
        same(want, got, "transpose");
        StridedCopy slice = new StridedCopy(cols + 3, new long[] {cols, 1}, new int[] {rows - 2, cols - 5}, 2);
        long sliced = (long) (rows - 2) * (cols - 5) * 2;
        CPU.copies().copyStrided(slice, x, want.asSlice(0, sliced));
        got.fill((byte) 0x7F);
        small.run(k -> k.copies().copyStrided(slice, x, got.asSlice(0, sliced)));
        same(want.asSlice(0, sliced), got.asSlice(0, sliced), "slice");
    }

    @Test
    void matmulsSplitOverRowsAndColumns() {
        Limited small = Limited.of(64 << 10);
        for (int[] mkn : new int[][] {{150, 40, 70}, {150, 40, 68}, {5, 33, 300}}) {
            MatmulSpec spec = new MatmulSpec(mkn[0], mkn[1], mkn[2], DType.FLOAT32);
            MemorySegment a = random(3, DType.FLOAT32, (long) mkn[0] * mkn[1]);
            MemorySegment b = random(4, DType.FLOAT32, (long) mkn[1] * mkn[2]);
            MemorySegment want = Native.allocate((long) mkn[0] * mkn[2], DType.FLOAT32);
            MemorySegment got = Native.allocate((long) mkn[0] * mkn[2], DType.FLOAT32);
            CPU.matmul().matmul(spec, a, b, want);
            small.run(k -> k.matmul().matmul(spec, a, b, got));
            for (long i = 0; i < want.byteSize() / 4; i++) {
                float w = want.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                float g = got.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                assertEquals(w, g, 1e-4 * (1 + Math.abs(w)), spec + " element " + i);
            }
        }
    }

    @Test
    void oneDispatchTakesMoreThan65535WorkGroups() {
        Limited real = Limited.of(Long.MAX_VALUE);
        long n = 65535L * 64 * 2 + 3; // one invocation per element: three rows of 65535 work groups
        MemorySegment x = TestGpu.get().memory().allocateUninitialized(4 * n);
        for (long i = 0; i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
        }
        MemorySegment out = TestGpu.get().memory().allocateUninitialized(4 * n);
        real.run(k -> k.elementwise().unary(UnaryFunction.NEGATIVE, DType.FLOAT32, n, x, out));
        for (long i = 0; i < n; i += 4099) {
            assertEquals(-(float) i, out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
        }
        assertEquals(-(float) (n - 1), out.getAtIndex(ValueLayout.JAVA_FLOAT, n - 1));
        // A reduction with one work group per line: 70000 lines.
        AxisLines lines = AxisLines.of(new int[] {70000, 3}, 1);
        MemorySegment sums = TestGpu.get().memory().allocateUninitialized(4 * 70000);
        real.run(k -> k.reductions().reduce(Reduction.SUM, lines, DType.FLOAT32, x, DType.FLOAT32, sums));
        for (int l = 0; l < 70000; l += 997) {
            assertEquals(3f * (3 * l + 1), sums.getAtIndex(ValueLayout.JAVA_FLOAT, l), "line " + l);
        }
    }

    @Test
    void arraysBeyondOneBindingAreSplitOrRefusedClearly() {
        Gpu gpu = TestGpu.get();
        Limited real = Limited.of(Long.MAX_VALUE);
        long range = gpu.physicalDevice().maxStorageBufferRange();
        long n = range / 4 + 5000; // more floats than one binding covers
        MemorySegment x = gpu.memory().allocateUninitialized(4 * n);
        for (long i = 0; i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 1000);
        }
        MemorySegment out = gpu.memory().allocateUninitialized(4 * n);
        real.run(k -> k.elementwise().unary(UnaryFunction.SQUARE, DType.FLOAT32, n, x, out));
        for (long i = n - 20000; i < n; i++) {
            float v = i % 1000;
            assertEquals(v * v, out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
        }
        assertEquals(999f * 999f, out.getAtIndex(ValueLayout.JAVA_FLOAT, 999));
        // A matmul's second operand must fit one binding: refused with the sizes and the limit.
        MatmulSpec spec = new MatmulSpec(1, 8, (int) (n / 8), DType.FLOAT32);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> real.run(k -> k.matmul().matmul(spec, x.asSlice(0, 32), x, out)));
        assertTrue(e.getMessage().startsWith("the matmul's second operand (8 x " + n / 8 + " float32"), e.getMessage());
        assertTrue(e.getMessage().contains("exceeds what one storage-buffer binding"), e.getMessage());
    }
}
