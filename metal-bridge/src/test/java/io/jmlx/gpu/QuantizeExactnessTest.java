package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jmlx.DType;
import io.jmlx.gpu.testing.AwkwardValues;
import io.jmlx.gpu.testing.Native;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import io.jmlx.kernels.KernelSet;
import io.jmlx.kernels.ScalarKernels;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The GPU's quantize and dequantize give the CPU reference kernels' ({@link ScalarKernels}) bytes exactly, on
 * over a million random groups of every mode, type, bit width and group size, built from {@link AwkwardValues}
 * (ties, subnormals, overflow, the scale floor, microscaling midpoints). An LLVM-based CPU driver divides exactly,
 * so passing here says nothing of a driver's division; the kernels do not divide in floating point at all
 * (floats.glsl), which is what makes the result driver-independent.
 */
class QuantizeExactnessTest {
    private static final KernelSet CPU = new ScalarKernels();
    private static final List<DType> TYPES = List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);
    private static final AtomicLong AFFINE_GROUPS = new AtomicLong();
    private static final AtomicLong FP_GROUPS = new AtomicLong();

    @AfterAll
    static void report() {
        System.out.println("[jmlx-gpu] quantize exactness: " + AFFINE_GROUPS.get() + " affine groups and "
                + FP_GROUPS.get() + " microscaled groups identical to the CPU");
    }

    @Test
    void affineQuantizeEqualsCpuOnRandomGroups() {
        Gpu gpu = TestGpu.get();
        int rows = 2560;
        int cols = 512;
        long seed = 1;
        for (DType t : TYPES) {
            for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
                for (int groupSize : new int[] {32, 64, 128}) {
                    MemorySegment w = AwkwardValues.weights(t, rows, cols, bits, seed++);
                    String label = "affine " + t + " bits " + bits + " group " + groupSize;
                    compareAffineQuantize(gpu, w, t, rows, cols, groupSize, bits, label);
                    AFFINE_GROUPS.addAndGet((long) rows * cols / groupSize);
                }
            }
        }
        assertTrue(AFFINE_GROUPS.get() >= 1_000_000, AFFINE_GROUPS.get() + " groups");
    }

    @Test
    void microscaledQuantizeEqualsCpuOnRandomGroups() {
        Gpu gpu = TestGpu.get();
        int rows = 4096;
        int cols = 512;
        long seed = 100;
        for (DType t : TYPES) {
            for (FpFormat format : FpFormat.values()) {
                for (Float global : format == FpFormat.NVFP4 ? new Float[] {null, 3.7f} : new Float[] {null}) {
                    MemorySegment w = AwkwardValues.weights(t, rows, cols, format.bits(), seed++);
                    String label = format + " " + t + (global == null ? "" : " global " + global);
                    long words = rows * BitPacking.words(cols, format.bits());
                    long groups = (long) rows * cols / format.groupSize();
                    MemorySegment[] expected = {
                        Native.allocate(words, DType.UINT32), Native.allocate(groups, DType.UINT8)
                    };
                    MemorySegment[] actual = {
                        gpu.memory().allocate(words * 4), gpu.memory().allocate(groups)
                    };
                    CPU.fpQuantize(w, t, rows, cols, format, global, expected[0], expected[1]);
                    gpu.kernels().fpQuantize(w, t, rows, cols, format, global, actual[0], actual[1]);
                    assertSameGroups(expected[1], actual[1], 1, 1, w, t, format.groupSize(), label + " scales");
                    assertSameGroups(
                            expected[0],
                            actual[0],
                            4,
                            format.groupSize() * format.bits() / 32,
                            w,
                            t,
                            format.groupSize(),
                            label + " codes");
                    FP_GROUPS.addAndGet(groups);
                }
            }
        }
        assertTrue(FP_GROUPS.get() >= 1_000_000, FP_GROUPS.get() + " groups");
    }

    @Test
    void affineDequantizeEqualsCpuOnRandomCodesAndParameters() {
        Gpu gpu = TestGpu.get();
        int rows = 256;
        int cols = 1024;
        long seed = 300;
        for (DType t : TYPES) {
            for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
                for (int groupSize : new int[] {32, 64, 128}) {
                    long groups = (long) rows * cols / groupSize;
                    MemorySegment packed = AwkwardValues.randomBytes(rows * BitPacking.words(cols, bits) * 4, seed++);
                    MemorySegment scales = AwkwardValues.parameters(t, groups, seed++, false);
                    MemorySegment biases = AwkwardValues.parameters(t, groups, seed++, false);
                    MemorySegment expected = Native.allocate((long) rows * cols, t);
                    MemorySegment actual = gpu.memory().allocate((long) rows * cols * t.byteSize());
                    CPU.affineDequantize(packed, scales, biases, t, rows, cols, groupSize, bits, expected);
                    gpu.kernels().affineDequantize(packed, scales, biases, t, rows, cols, groupSize, bits, actual);
                    assertBytes(
                            expected,
                            actual,
                            t.byteSize(),
                            "affine dequantize " + t + " bits " + bits + " group " + groupSize);
                }
            }
        }
    }

    @Test
    void microscaledDequantizeEqualsCpuForEveryScaleByte() {
        Gpu gpu = TestGpu.get();
        int rows = 512;
        int cols = 256;
        long seed = 500;
        for (DType t : TYPES) {
            for (FpFormat format : FpFormat.values()) {
                for (Float global : format == FpFormat.NVFP4 ? new Float[] {null, 0.3f, 2.5e4f} : new Float[] {null}) {
                    long groups = (long) rows * cols / format.groupSize();
                    MemorySegment packed =
                            AwkwardValues.randomBytes(rows * BitPacking.words(cols, format.bits()) * 4, seed++);
                    MemorySegment scales = AwkwardValues.randomBytes(groups, seed++);
                    DType out = global == null ? t : DType.FLOAT32;
                    MemorySegment expected = Native.allocate((long) rows * cols, out);
                    MemorySegment actual = gpu.memory().allocate((long) rows * cols * out.byteSize());
                    CPU.fpDequantize(packed, scales, rows, cols, format, global, out, expected);
                    gpu.kernels().fpDequantize(packed, scales, rows, cols, format, global, out, actual);
                    assertBytes(
                            expected, actual, out.byteSize(), format + " dequantize to " + out + " global " + global);
                }
            }
        }
    }

    @Test
    void nonFiniteWeightsFailWithTheCpuMessage() {
        Gpu gpu = TestGpu.get();
        int rows = 8;
        int cols = 128;
        for (DType t : TYPES) {
            MemorySegment w = AwkwardValues.weights(t, rows, cols, 4, 7);
            Elements.setFloat(w, t, 5L * cols + 77, Float.NaN);
            Elements.setFloat(w, t, 6L * cols + 3, Float.POSITIVE_INFINITY);
            compareAffineQuantize(gpu, w, t, rows, cols, 64, 4, "non-finite " + t);
        }
    }

    private static void compareAffineQuantize(
            Gpu gpu, MemorySegment w, DType t, int rows, int cols, int groupSize, int bits, String label) {
        long words = rows * BitPacking.words(cols, bits);
        long groups = (long) rows * cols / groupSize;
        MemorySegment[] expected = {
            Native.allocate(words, DType.UINT32), Native.allocate(groups, t), Native.allocate(groups, t)
        };
        MemorySegment[] actual = {
            gpu.memory().allocate(words * 4),
            gpu.memory().allocate(groups * t.byteSize()),
            gpu.memory().allocate(groups * t.byteSize())
        };
        String cpuError = error(
                () -> CPU.affineQuantize(w, t, rows, cols, groupSize, bits, expected[0], expected[1], expected[2]));
        String gpuError = error(
                () -> gpu.kernels().affineQuantize(w, t, rows, cols, groupSize, bits, actual[0], actual[1], actual[2]));
        assertEquals(cpuError, gpuError, label + ": error");
        if (cpuError == null) {
            int wordsPerGroup = groupSize * bits / 32;
            assertSameGroups(expected[1], actual[1], t.byteSize(), 1, w, t, groupSize, label + " scales");
            assertSameGroups(expected[2], actual[2], t.byteSize(), 1, w, t, groupSize, label + " biases");
            assertSameGroups(expected[0], actual[0], 4, wordsPerGroup, w, t, groupSize, label + " codes");
        }
    }

    /** Byte equality, reporting the first differing group with its inputs. */
    private static void assertSameGroups(
            MemorySegment expected,
            MemorySegment actual,
            int unit,
            int unitsPerGroup,
            MemorySegment w,
            DType t,
            int groupSize,
            String label) {
        long at = expected.mismatch(actual.asSlice(0, expected.byteSize()));
        if (at >= 0) {
            long group = at / unit / unitsPerGroup;
            StringBuilder values = new StringBuilder();
            for (int j = 0; j < groupSize; j++) {
                values.append(Elements.getFloat(w, t, group * groupSize + j)).append(' ');
            }
            fail(label + " differ from the CPU in group " + group + " (byte " + at + "); inputs: " + values);
        }
    }

    private static void assertBytes(MemorySegment expected, MemorySegment actual, int unit, String label) {
        long at = expected.mismatch(actual.asSlice(0, expected.byteSize()));
        if (at >= 0) {
            fail(label + " differs from the CPU at element " + at / unit);
        }
    }

    private static String error(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
