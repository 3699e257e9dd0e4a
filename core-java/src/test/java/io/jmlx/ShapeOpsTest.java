package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.testing.RandomArrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code transpose}, {@code swapaxes}, {@code concatenate} and {@code slice} against index arithmetic done here. */
class ShapeOpsTest {

    /** A [2,3,4] array whose element at (i,j,k) is 100i + 10j + k. */
    private static Array coordinates(DType t) {
        float[] v = new float[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    v[(i * 3 + j) * 4 + k] = 100 * i + 10 * j + k;
                }
            }
        }
        return Array.of(v, t, 2, 3, 4);
    }

    @Test
    void transposeMovesEveryAxisAsThePermutationSays() {
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}, {-1, 0, -2}};
        for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            for (int[] perm : perms) {
                int[] p = perm.clone();
                for (int i = 0; i < 3; i++) {
                    p[i] = p[i] < 0 ? p[i] + 3 : p[i];
                }
                int[] in = {2, 3, 4};
                int[] outShape = {in[p[0]], in[p[1]], in[p[2]]};
                Array y = Jmlx.transpose(coordinates(t), perm);
                assertArrayEquals(outShape, y.shape());
                float[] got = y.toFloatArray();
                int flat = 0;
                for (int a = 0; a < outShape[0]; a++) {
                    for (int b = 0; b < outShape[1]; b++) {
                        for (int c = 0; c < outShape[2]; c++) {
                            int[] source = new int[3];
                            source[p[0]] = a;
                            source[p[1]] = b;
                            source[p[2]] = c;
                            assertEquals(
                                    100 * source[0] + 10 * source[1] + source[2],
                                    got[flat++],
                                    java.util.Arrays.toString(perm));
                        }
                    }
                }
            }
        }
    }

    @Test
    void transposeWithoutAxesReversesThemAndSwapaxesExchangesTwo() {
        Array a = coordinates(DType.FLOAT32);
        assertArrayEquals(
                Jmlx.transpose(a, 2, 1, 0).toFloatArray(), Jmlx.transpose(a).toFloatArray());
        assertArrayEquals(
                Jmlx.transpose(a, 2, 1, 0).toFloatArray(),
                Jmlx.swapaxes(a, 0, -1).toFloatArray());
        assertArrayEquals(
                Jmlx.matrixTranspose(a).toFloatArray(), Jmlx.swapaxes(a, 1, 2).toFloatArray());
    }

    @Test
    void transposeRejectsWrongAxes() {
        Array a = coordinates(DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jmlx.transpose(a, 0, 1));
        assertEquals(
                "[transpose] axes must list each of the 3 axes of a (shape (2,3,4)) once but has 2 entries: "
                        + "[0, 1].",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Jmlx.transpose(a, 0, 1, -3));
        assertEquals("[transpose] axes must not repeat an axis but [0, 1, -3] names axis 0 twice.", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Jmlx.swapaxes(a, 0, 3));
        assertEquals(
                "[swapaxes] axis2 3 is out of range for an array with 3 dimensions; it must be in [-3, 3).",
                e.getMessage());
    }

    @Test
    void concatenateJoinsAlongAnyAxisAndPromotes() {
        Array a = Array.of(new float[] {1, 2, 3, 4}, 2, 2);
        Array b = Array.of(new float[] {5, 6}, DType.BFLOAT16, 2, 1);
        Array along1 = Jmlx.concatenate(List.of(a, b), 1);
        assertArrayEquals(new int[] {2, 3}, along1.shape());
        assertEquals(DType.FLOAT32, along1.dtype());
        assertArrayEquals(new float[] {1, 2, 5, 3, 4, 6}, along1.toFloatArray());
        Array along0 = Jmlx.concatenate(List.of(a, Array.of(new float[] {7, 8}, 1, 2), a), 0);
        assertArrayEquals(new int[] {5, 2}, along0.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 7, 8, 1, 2, 3, 4}, along0.toFloatArray());
        Array x = RandomArrays.normal(3, 1, DType.FLOAT32, 2, 3, 4);
        assertArrayEquals(
                x.toFloatArray(),
                Jmlx.concatenate(
                                List.of(
                                        Jmlx.slice(x, new int[] {0, 0, 0}, new int[] {2, 1, 4}),
                                        Jmlx.slice(x, new int[] {0, 1, 0}, new int[] {2, 3, 4})),
                                1)
                        .toFloatArray());
    }

    @Test
    void concatenateRejectsMismatchedShapes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.concatenate(List.of(Array.zeros(DType.FLOAT32, 2, 2), Array.zeros(DType.FLOAT32, 3, 3)), 1));
        assertEquals(
                "[concatenate] every array must have the shape of the first, (2,2), except along axis 1, but "
                        + "array 1 has shape (3,3).",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Jmlx.concatenate(List.of(), 0));
        assertEquals("[concatenate] needs at least one array but was given none.", e.getMessage());
    }

    @Test
    void sliceTakesRangesCountsFromTheEndAndClamps() {
        Array a = coordinates(DType.FLOAT16);
        Array s = Jmlx.slice(a, new int[] {1, -2, 1}, new int[] {2, 3, 3});
        assertArrayEquals(new int[] {1, 2, 2}, s.shape());
        assertEquals(DType.FLOAT16, s.dtype());
        assertArrayEquals(new float[] {111, 112, 121, 122}, s.toFloatArray());
        Array clamped = Jmlx.slice(a, new int[] {-10, 2, 3}, new int[] {10, 100, 100});
        assertArrayEquals(new int[] {2, 1, 1}, clamped.shape());
        assertArrayEquals(new float[] {23, 123}, clamped.toFloatArray());
        assertArrayEquals(
                new int[] {2, 0, 4},
                Jmlx.slice(a, new int[] {0, 2, 0}, new int[] {2, 1, 4}).shape());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Jmlx.slice(a, new int[] {0}, new int[] {1}));
        assertEquals(
                "[slice] start and stop must have one entry per axis of a (shape (2,3,4), 3 axes) but have 1 "
                        + "and 1.",
                e.getMessage());
    }
}
