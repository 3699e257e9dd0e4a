package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;

/** {@link Jmlx#take}: gathering slices by integer indices of any shape and type, along any axis, and its errors. */
class TakeTest {
    private final Array table = Array.of(
            new float[] {
                0, 1, 2,
                10, 11, 12,
                20, 21, 22,
                30, 31, 32,
                40, 41, 42
            },
            5,
            3);

    @Test
    void gathersRows() {
        Array rows = Jmlx.take(table, Array.of(new int[] {2, 0, 4, 2}, DType.INT32, 4), 0);
        assertArrayEquals(new int[] {4, 3}, rows.shape());
        assertArrayEquals(new float[] {20, 21, 22, 0, 1, 2, 40, 41, 42, 20, 21, 22}, rows.toFloatArray());
    }

    @Test
    void indexShapeIsKept() {
        Array rows = Jmlx.take(table, Array.of(new int[] {1, 3, 3, 0}, DType.UINT32, 2, 2), 0);
        assertArrayEquals(new int[] {2, 2, 3}, rows.shape());
        assertArrayEquals(new float[] {10, 11, 12, 30, 31, 32, 30, 31, 32, 0, 1, 2}, rows.toFloatArray());
        Array one = Jmlx.take(table, Array.of(new long[] {4}, 1), 0);
        assertArrayEquals(new int[] {1, 3}, one.shape());
        Array scalarIndex = Jmlx.take(table, Array.of(new long[] {1}), 0);
        assertArrayEquals(new int[] {3}, scalarIndex.shape());
        assertArrayEquals(new float[] {10, 11, 12}, scalarIndex.toFloatArray());
    }

    @Test
    void negativeIndicesCountFromTheEnd() {
        Array rows = Jmlx.take(table, Array.of(new int[] {-1, -5}, DType.INT8, 2), 0);
        assertArrayEquals(new float[] {40, 41, 42, 0, 1, 2}, rows.toFloatArray());
    }

    @Test
    void gathersAlongOtherAxes() {
        Array a = RandomArrays.normal(5, 1, DType.BFLOAT16, 2, 3, 4);
        int[] idx = {2, 0, 1, 2, 2, 0};
        Array taken = Jmlx.take(a, Array.of(idx, DType.INT32, 3, 2), 1);
        assertArrayEquals(new int[] {2, 3, 2, 4}, taken.shape());
        assertEquals(DType.BFLOAT16, taken.dtype());
        float[] in = a.toFloatArray();
        float[] expected = new float[2 * 6 * 4];
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < idx.length; i++) {
                for (int k = 0; k < 4; k++) {
                    expected[(o * idx.length + i) * 4 + k] = in[(o * 3 + idx[i]) * 4 + k];
                }
            }
        }
        assertArrayEquals(expected, taken.toFloatArray());
        Array lastAxis = Jmlx.take(a, Array.of(new int[] {3}, DType.INT32, 1), -1);
        assertArrayEquals(new int[] {2, 3, 1}, lastAxis.shape());
    }

    @Test
    void runsOnTheGivenStream() {
        Stream s = Stream.newStream(Device.cpu());
        Array ids = Array.of(new int[] {3, 1}, DType.INT32, 2);
        assertArrayEquals(
                Jmlx.take(table, ids, 0).toFloatArray(),
                Jmlx.take(table, ids, 0, s).toFloatArray());
    }

    @Test
    void outOfRangeIndexFailsTheComputationNamingIt() {
        Array rows = Jmlx.take(table, Array.of(new int[] {1, 5}, DType.INT32, 2), 0);
        EvaluationException e = assertThrows(EvaluationException.class, rows::data);
        assertEquals("take", e.op());
        assertTrue(
                e.getMessage().startsWith("[take] Index 5 (element 1 of indices) is out of range for axis 0 of size 5"),
                e.getMessage());
        Array negative = Jmlx.take(table, Array.of(new int[] {-6}, DType.INT32, 1), 0);
        assertInstanceOf(
                IndexOutOfBoundsException.class,
                assertThrows(EvaluationException.class, negative::data).getCause());
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException floats =
                assertThrows(IllegalArgumentException.class, () -> Jmlx.take(table, Array.of(new float[] {1}, 1), 0));
        assertEquals("[take] indices must be an integer array but have type float32.", floats.getMessage());
        IllegalArgumentException axis = assertThrows(
                IllegalArgumentException.class, () -> Jmlx.take(table, Array.of(new int[] {1}, DType.INT32, 1), 2));
        assertEquals("[take] Received invalid axis 2 for array with 2 dimensions.", axis.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.take(Array.of(new float[] {1}), Array.of(new int[] {0}, DType.INT32, 1), 0));
    }
}
