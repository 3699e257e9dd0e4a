package io.jmlx.gpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.gpu.testing.OnBothDevices;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Type conversion, take and the copies behind transpose, slice and concatenate on the GPU: the CPU's bytes exactly
 * (tolerance 0), for every element size, odd shapes and offsets.
 */
class MovesOnGpuTest {
    private static final DType[] NUMERIC = {
        DType.FLOAT32,
        DType.FLOAT16,
        DType.BFLOAT16,
        DType.BOOL,
        DType.UINT8,
        DType.INT8,
        DType.UINT16,
        DType.INT16,
        DType.UINT32,
        DType.INT32,
        DType.INT64,
        DType.UINT64,
        DType.FLOAT64
    };

    /** Values that test rounding, truncation, wrapping and saturation in every conversion. */
    private static Array awkward(long seed) {
        float[] v = OnBothDevices.awkwardValues(seed, 333, 1e3f);
        Random r = new Random(seed);
        for (int i = 12; i < v.length; i += 7) {
            v[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.pow(2, r.nextDouble() * 70)); // beyond every int range
        }
        v[20] = 16777217f; // rounds in float32
        v[21] = 0.5f;
        v[22] = -0.5f;
        v[23] = 255.5f;
        return Array.of(v, DType.FLOAT32, 9, 37);
    }

    @Test
    void everyConversionGivesTheCpuBytes() {
        OnBothDevices both = OnBothDevices.get();
        for (DType from : NUMERIC) {
            // The input itself made by the CPU, so that both devices convert the same values of `from`.
            Array x = Jmlx.astype(awkward(from.ordinal()), from, both.cpu());
            for (DType to : NUMERIC) {
                Array cpu = Jmlx.astype(x, to, both.cpu());
                Array gpu = Jmlx.astype(x, to, both.gpu());
                assertEquals(to, gpu.dtype());
                if (to.isFloating()) {
                    // NaN bits are the hardware's: compare the values, NaN equal to NaN.
                    assertArrayEquals(canonical(cpu), canonical(gpu), from + " to " + to);
                } else {
                    assertArrayEquals(cpu.toBytes(), gpu.toBytes(), from + " to " + to);
                }
            }
        }
        both.report("astype (every pair of numeric types)", "none (bit for bit, NaN payloads aside)");
    }

    private static double[] canonical(Array a) {
        Array wide = Jmlx.astype(a, DType.FLOAT64, io.jmlx.stream.Device.cpu());
        byte[] bytes = wide.toBytes();
        double[] out = new double[(int) a.size()];
        java.nio.ByteBuffer.wrap(bytes)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asDoubleBuffer()
                .get(out);
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.isNaN(out[i]) ? Double.NaN : out[i];
        }
        return out;
    }

    @Test
    void takeGivesTheCpuBytesForEveryIndexTypeAndAxis() {
        OnBothDevices both = OnBothDevices.get();
        DType[] indexTypes = {
            DType.INT32, DType.UINT32, DType.INT64, DType.UINT64, DType.INT8, DType.UINT8, DType.INT16, DType.UINT16
        };
        for (DType dtype : new DType[] {DType.FLOAT32, DType.BFLOAT16, DType.UINT8, DType.INT64}) {
            Array a = Jmlx.astype(both.random(7, DType.FLOAT32, 100, 5, 7, 3), dtype, both.cpu());
            for (DType it : indexTypes) {
                boolean signed = it == DType.INT32 || it == DType.INT64 || it == DType.INT8 || it == DType.INT16;
                for (int axis = 0; axis < 3; axis++) {
                    int size = a.dim(axis);
                    int[] idx = signed
                            ? new int[] {size - 1, -1, 0, size / 2, -size, 1 % size}
                            : new int[] {size - 1, 0, size / 2, 1 % size, 0, size - 1};
                    Array indices = Array.of(idx, DType.INT32, 2, 3).astype(it);
                    assertArrayEquals(
                            Jmlx.take(a, indices, axis, both.cpu()).toBytes(),
                            Jmlx.take(a, indices, axis, both.gpu()).toBytes(),
                            dtype + " by " + it + " along axis " + axis);
                }
            }
        }
        both.report("take", "none (bit for bit)");
    }

    @Test
    void anIndexOutOfRangeFailsTakeWithTheCpusMessage() {
        OnBothDevices both = OnBothDevices.get();
        Array a = both.random(3, DType.FLOAT32, 1, 4, 6);
        Array indices = Array.of(new int[] {1, 2, 9, -7, 3}, DType.INT32, 5);
        EvaluationException cpu = assertThrows(
                EvaluationException.class,
                () -> Jmlx.take(a, indices, 1, both.cpu()).toBytes());
        EvaluationException gpu = assertThrows(
                EvaluationException.class,
                () -> Jmlx.take(a, indices, 1, both.gpu()).toBytes());
        assertEquals(cpu.getMessage(), gpu.getMessage());
        assertEquals("take", gpu.op());
    }

    @Test
    void transposeSliceAndConcatenateGiveTheCpuBytesForEveryElementSize() {
        OnBothDevices both = OnBothDevices.get();
        for (DType t : new DType[] {DType.UINT8, DType.BFLOAT16, DType.FLOAT32, DType.INT64}) {
            Array x = Jmlx.astype(both.random(11, DType.FLOAT32, 1000, 3, 5, 7, 2), t, both.cpu());
            for (int[] axes : new int[][] {{3, 2, 1, 0}, {0, 2, 1, 3}, {1, 0, 3, 2}, {0, 1, 2, 3}}) {
                assertArrayEquals(
                        Jmlx.transpose(x, axes, both.cpu()).toBytes(),
                        Jmlx.transpose(x, axes, both.gpu()).toBytes(),
                        "transpose " + t + " " + Arrays.toString(axes));
            }
            assertArrayEquals(
                    Jmlx.matrixTranspose(x, both.cpu()).toBytes(),
                    Jmlx.matrixTranspose(x, both.gpu()).toBytes());
            int[][][] slices = {{{0, 1, 2, 0}, {3, 4, 7, 2}}, {{1, 0, 3, 1}, {2, 5, 4, 2}}, {{2, 4, 6, 0}, {1, 5, 7, 1}}
            };
            for (int[][] s : slices) {
                assertArrayEquals(
                        Jmlx.slice(x, s[0], s[1], both.cpu()).toBytes(),
                        Jmlx.slice(x, s[0], s[1], both.gpu()).toBytes(),
                        "slice " + t + " " + Arrays.deepToString(s));
            }
            Array y = Jmlx.astype(both.random(12, DType.FLOAT32, 1000, 3, 5, 1, 2), t, both.cpu());
            Array z = Jmlx.astype(both.random(13, DType.FLOAT32, 1000, 3, 5, 4, 2), t, both.cpu());
            assertArrayEquals(
                    Jmlx.concatenate(List.of(x, y, z), 2, both.cpu()).toBytes(),
                    Jmlx.concatenate(List.of(x, y, z), 2, both.gpu()).toBytes(),
                    "concatenate " + t);
            assertArrayEquals(
                    Jmlx.concatenate(List.of(x, x), 0, both.cpu()).toBytes(),
                    Jmlx.concatenate(List.of(x, x), 0, both.gpu()).toBytes());
        }
        both.report("transpose, slice, concatenate", "none (bit for bit)");
    }
}
