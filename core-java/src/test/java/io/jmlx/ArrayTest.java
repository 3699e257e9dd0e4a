package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.testing.RandomArrays;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Array creation, reading back, views and conversions; the reference matmul against a double-precision loop. */
class ArrayTest {

    @Test
    void createsAndReadsBack() {
        Array a = Array.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertEquals(DType.FLOAT32, a.dtype());
        assertEquals(6, a.size());
        assertEquals(24, a.nbytes());
        assertEquals(3, a.dim(-1));
        assertTrue(a.isEvaluated());
        assertTrue(a.data().isNative(), "data is off-heap");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloatArray());
        assertArrayEquals(
                new int[] {7, -1}, Array.of(new int[] {7, -1}, DType.INT32, 2).toIntArray());
        assertArrayEquals(
                new int[] {-1}, Array.of(new int[] {-1}, DType.UINT32, 1).toIntArray(), "uint32 bits as is");
        assertArrayEquals(
                new float[] {4294967295f},
                Array.of(new int[] {-1}, DType.UINT32, 1).toFloatArray());
        assertArrayEquals(
                new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, Array.of(new long[] {1}, 1).toBytes());
        assertArrayEquals(new float[] {0, 0}, Array.zeros(DType.BFLOAT16, 2).toFloatArray());
    }

    @Test
    void rejectsMismatchedShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Array.of(new float[5], 2, 3));
        assertEquals("values has 5 elements but shape (2,3) needs 6", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Array.of(new float[6], DType.INT32, 2, 3));
        assertThrows(
                IllegalArgumentException.class,
                () -> Array.of(new float[] {1}, 1).reshape(2));
        assertThrows(
                IllegalArgumentException.class,
                () -> Array.of(new float[] {1}, 1).dim(1));
        assertThrows(IllegalArgumentException.class, () -> Array.fromBytes(new byte[3], DType.FLOAT32, 1));
    }

    @Test
    void wrapsForeignMemoryWithoutCopying() {
        MemorySegment seg = Arena.ofAuto().allocate(8);
        seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 0, 1.5f);
        Array a = Array.wrap(seg, DType.FLOAT32, 2);
        seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, 4, 2.5f);
        assertArrayEquals(new float[] {1.5f, 2.5f}, a.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Array.wrap(seg, DType.FLOAT32, 3));
    }

    @Test
    void reshapeIsAView() {
        Array a = Array.of(new float[] {1, 2, 3, 4}, 2, 2);
        Array b = a.reshape(4);
        assertEquals(a.data().address(), b.data().address());
        assertArrayEquals(new int[] {4}, b.shape());
    }

    @Test
    void astypeConvertsWithRounding() {
        Array a = Array.of(new float[] {1.0009765625f, -2.5f, 65520f, 3.7f}, 4);
        assertArrayEquals(
                new float[] {1.0009765625f, -2.5f, Float.POSITIVE_INFINITY, 3.6992188f},
                a.astype(DType.FLOAT16).toFloatArray());
        assertArrayEquals(
                new float[] {1f, -2.5f, 65536f, 3.703125f},
                a.astype(DType.BFLOAT16).toFloatArray());
        assertArrayEquals(new int[] {1, -2, 65520, 3}, a.astype(DType.INT32).toIntArray());
        assertArrayEquals(
                new float[] {1.0009765625f, -2.5f, 65520f, 3.7f},
                a.astype(DType.FLOAT64).astype(DType.FLOAT32).toFloatArray());
    }

    @Test
    void promotionFollowsMlx() {
        assertEquals(DType.FLOAT32, DType.promote(DType.FLOAT16, DType.BFLOAT16));
        assertEquals(DType.FLOAT16, DType.promote(DType.INT32, DType.FLOAT16));
        assertEquals(DType.FLOAT32, DType.promote(DType.FLOAT32, DType.BFLOAT16));
        assertEquals(DType.INT64, DType.promote(DType.UINT32, DType.INT32));
        assertEquals(DType.BFLOAT16, DType.promote(DType.UINT32, DType.BFLOAT16));
    }

    @Test
    void matmulMatchesADoublePrecisionLoop() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.FLOAT64}) {
            Array a = RandomArrays.normal(31, 1, t, 2, 3, 17);
            Array b = RandomArrays.normal(32, 1, t, 17, 5);
            Array y = Jmlx.matmul(a, b);
            assertArrayEquals(new int[] {2, 3, 5}, y.shape());
            assertEquals(t, y.dtype());
            float[] av = a.toFloatArray();
            float[] bv = b.toFloatArray();
            float[] yv = y.toFloatArray();
            for (int bi = 0; bi < 2; bi++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 5; j++) {
                        double sum = 0;
                        double mag = 0;
                        for (int k = 0; k < 17; k++) {
                            sum += (double) av[bi * 51 + i * 17 + k] * bv[k * 5 + j];
                            mag += Math.abs((double) av[bi * 51 + i * 17 + k] * bv[k * 5 + j]);
                        }
                        double u = t == DType.FLOAT16 ? 0x1p-11 : t == DType.BFLOAT16 ? 0x1p-8 : 0x1p-24;
                        double tol = Math.abs(sum) * u + 19 * 0x1p-24 * mag;
                        assertEquals(sum, yv[bi * 15 + i * 5 + j], tol, t + " element " + bi + "," + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void matmulHandlesVectorsAndChecksShapes() {
        Array m = Array.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Array v = Array.of(new float[] {1, 0, -1}, 3);
        assertArrayEquals(new float[] {-2, -2}, Jmlx.matmul(m, v).toFloatArray());
        assertArrayEquals(new int[] {2}, Jmlx.matmul(m, v).shape());
        assertArrayEquals(
                new float[] {9, 12, 15},
                Jmlx.matmul(Array.of(new float[] {1, 2}, 2), m).toFloatArray());
        assertArrayEquals(
                new float[] {1, 4, 2, 5, 3, 6}, Jmlx.matrixTranspose(m).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jmlx.matmul(m, m));
        assertEquals(
                "[matmul] Last dimension of first input with shape (2,3) must match second to last dimension of "
                        + "second input with shape (2,3).",
                e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.matmul(
                        Array.of(new int[] {1}, DType.INT32, 1, 1), Array.of(new int[] {1}, DType.INT32, 1, 1)));
    }
}
