package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import io.jmlx.gpu.testing.AwkwardValues;
import io.jmlx.gpu.testing.MatmulCheck;
import io.jmlx.gpu.testing.Native;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.ScalarKernels;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Work larger than one binding or one dispatch: kernels that believe a binding covers only a few KiB and a
 * dispatch dimension only two work groups (as lavapipe's 128 MiB and 65535 limits would for big arrays) split it
 * into many dispatches (spread over x and y, and over several command buffers when there are more than one holds),
 * and still give the CPU's results.
 */
class SplitWorkTest {
    private static final ScalarKernels CPU = new ScalarKernels();

    private static GpuKernels small(Gpu gpu, long bindingBytes, int groups) {
        return new GpuKernels(gpu.dispatcher(bindingBytes, groups, GpuWorkListener.NONE));
    }

    @Test
    void quantizeAndDequantizeSplitByRows() {
        Gpu gpu = TestGpu.get();
        GpuKernels kernels = small(gpu, 64 << 10, 2);
        GpuKernels tiny = small(gpu, 2 << 10, 2); // 1 to 3 rows per dispatch: 200 to 600 dispatches
        int rows = 600;
        int cols = 256;
        for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            MemorySegment w = AwkwardValues.weights(t, rows, cols, 3, 9);
            long words = rows * BitPacking.words(cols, 3);
            long groups = rows * cols / 32L;
            MemorySegment[] cpu = {
                Native.allocate(words, DType.UINT32), Native.allocate(groups, t), Native.allocate(groups, t)
            };
            MemorySegment[] gpuOut = {
                Native.allocate(words, DType.UINT32), Native.allocate(groups, t), Native.allocate(groups, t)
            };
            CPU.affineQuantize(w, t, rows, cols, 32, 3, cpu[0], cpu[1], cpu[2]);
            kernels.affineQuantize(w, t, rows, cols, 32, 3, gpuOut[0], gpuOut[1], gpuOut[2]);
            for (int i = 0; i < 3; i++) {
                assertEquals(-1, cpu[i].mismatch(gpuOut[i]), t + " quantize output " + i);
            }
            MemorySegment expected = Native.allocate((long) rows * cols, t);
            MemorySegment actual = Native.allocate((long) rows * cols, t);
            CPU.affineDequantize(cpu[0], cpu[1], cpu[2], t, rows, cols, 32, 3, expected);
            tiny.affineDequantize(cpu[0], cpu[1], cpu[2], t, rows, cols, 32, 3, actual);
            assertEquals(-1, expected.mismatch(actual), t + " dequantize");
        }
        MemorySegment w = AwkwardValues.weights(DType.FLOAT16, rows, cols, 4, 10);
        long words = rows * BitPacking.words(cols, 4);
        MemorySegment[] cpu = {Native.allocate(words, DType.UINT32), Native.allocate(rows * cols / 16L, DType.UINT8)};
        MemorySegment[] gpuOut = {Native.allocate(words, DType.UINT32), Native.allocate(rows * cols / 16L, DType.UINT8)
        };
        CPU.fpQuantize(w, DType.FLOAT16, rows, cols, FpFormat.NVFP4, 2f, cpu[0], cpu[1]);
        kernels.fpQuantize(w, DType.FLOAT16, rows, cols, FpFormat.NVFP4, 2f, gpuOut[0], gpuOut[1]);
        assertEquals(-1, cpu[0].mismatch(gpuOut[0]), "nvfp4 codes");
        assertEquals(-1, cpu[1].mismatch(gpuOut[1]), "nvfp4 scales");
        MemorySegment expected = Native.allocate((long) rows * cols, DType.FLOAT32);
        MemorySegment actual = Native.allocate((long) rows * cols, DType.FLOAT32);
        CPU.fpDequantize(cpu[0], cpu[1], rows, cols, FpFormat.NVFP4, 2f, DType.FLOAT32, expected);
        kernels.fpDequantize(cpu[0], cpu[1], rows, cols, FpFormat.NVFP4, 2f, DType.FLOAT32, actual);
        assertEquals(-1, expected.mismatch(actual), "nvfp4 dequantize");
    }

    @Test
    void aNonFiniteValueInALaterDispatchIsReportedAtItsRow() {
        Gpu gpu = TestGpu.get();
        int rows = 200;
        int cols = 128;
        MemorySegment w = AwkwardValues.weights(DType.FLOAT32, rows, cols, 4, 3);
        Elements.setFloat(w, DType.FLOAT32, 187L * cols + 100, Float.NEGATIVE_INFINITY);
        long words = rows * BitPacking.words(cols, 4);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> small(gpu, 4 << 10, 65535)
                        .affineQuantize(
                                w,
                                DType.FLOAT32,
                                rows,
                                cols,
                                64,
                                4,
                                Native.allocate(words, DType.UINT32),
                                Native.allocate(rows * 2L, DType.FLOAT32),
                                Native.allocate(rows * 2L, DType.FLOAT32)));
        assertTrue(
                e.getMessage().startsWith("w has the non-finite value -Infinity at row 187, column 100"),
                e.getMessage());
    }

    @Test
    void matmulsSplitOverBatchesRowsAndWeightRows() {
        Gpu gpu = TestGpu.get();
        GpuKernels kernels = small(gpu, 24 << 10, 8);
        run(kernels, MatmulCheck.random(DType.FLOAT32, 3, 40, 256, 150, true, false, null, null, 64, 4, 1));
        run(kernels, MatmulCheck.random(DType.FLOAT16, 3, 3, 512, 200, true, true, null, null, 128, 6, 2));
        run(kernels, MatmulCheck.random(DType.BFLOAT16, 2, 70, 40, 128, false, false, null, null, 32, 8, 3));
        run(kernels, MatmulCheck.random(DType.FLOAT32, 2, 5, 64, 96, false, true, FpFormat.MXFP8, null, 0, 0, 4));
    }

    @Test
    void aWeightThatCannotBeSplitIsRefusedClearly() {
        Gpu gpu = TestGpu.get();
        MatmulCheck c = MatmulCheck.random(DType.FLOAT32, 1, 2, 512, 256, false, true, null, null, 64, 8, 5);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> small(gpu, 16 << 10, 65535)
                        .affineMatmulAsync(
                                c.x(),
                                c.packed(),
                                c.scales(),
                                c.biases(),
                                c.dtype(),
                                1,
                                2,
                                512,
                                256,
                                false,
                                true,
                                64,
                                8,
                                Native.allocate(512, DType.FLOAT32)));
        assertTrue(e.getMessage().contains("without transpose the whole weight of one batch must fit"), e.getMessage());
    }

    private static void run(GpuKernels kernels, MatmulCheck c) {
        c.runAndCheck(kernels, Native.allocate((long) c.batches() * c.m() * c.n(), c.dtype()));
    }
}
