package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;

/** {@link Jmlx#add}: NumPy broadcasting, MLX's type promotion, rounding to the result type, argument errors. */
class AddTest {

    /** The expected sum computed element by element with explicit broadcast coordinates. */
    private static float[] naiveSum(float[] a, int[] aShape, float[] b, int[] bShape, int[] outShape) {
        float[] out = new float[Math.toIntExact(Shape.size(outShape))];
        for (int flat = 0; flat < out.length; flat++) {
            out[flat] = a[elementFor(flat, outShape, aShape)] + b[elementFor(flat, outShape, bShape)];
        }
        return out;
    }

    private static int elementFor(int flat, int[] outShape, int[] shape) {
        int[] coords = new int[outShape.length];
        for (int i = outShape.length - 1, rest = flat; i >= 0; i--) {
            coords[i] = rest % outShape[i];
            rest /= outShape[i];
        }
        int index = 0;
        int offset = outShape.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            index = index * shape[i] + (shape[i] == 1 ? 0 : coords[i + offset]);
        }
        return index;
    }

    private static void checkBroadcast(int[] aShape, int[] bShape, int[] expectedShape) {
        Array a = RandomArrays.normal(1, 1, DType.FLOAT32, aShape);
        Array b = RandomArrays.normal(2, 1, DType.FLOAT32, bShape);
        Array sum = Jmlx.add(a, b);
        assertArrayEquals(expectedShape, sum.shape());
        assertArrayEquals(
                naiveSum(a.toFloatArray(), aShape, b.toFloatArray(), bShape, expectedShape), sum.toFloatArray());
        assertArrayEquals(sum.toFloatArray(), Jmlx.add(b, a).toFloatArray(), "addition commutes");
    }

    @Test
    void sameShapesAddElementwise() {
        Array a = Array.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Array b = Array.of(new float[] {10, 20, 30, 40, 50, 60}, 2, 3);
        assertArrayEquals(new float[] {11, 22, 33, 44, 55, 66}, Jmlx.add(a, b).toFloatArray());
    }

    @Test
    void broadcastsLikeNumpy() {
        checkBroadcast(new int[] {2, 3}, new int[] {3}, new int[] {2, 3});
        checkBroadcast(new int[] {2, 1}, new int[] {1, 3}, new int[] {2, 3});
        checkBroadcast(new int[] {4, 1, 3}, new int[] {2, 1}, new int[] {4, 2, 3});
        checkBroadcast(new int[] {}, new int[] {2, 2}, new int[] {2, 2});
        checkBroadcast(new int[] {5, 7}, new int[] {5, 1}, new int[] {5, 7});
        checkBroadcast(new int[] {3, 1}, new int[] {1}, new int[] {3, 1});
        checkBroadcast(new int[] {0, 4}, new int[] {4}, new int[] {0, 4});
    }

    @Test
    void promotesTypesAsMlx() {
        Array f16 = Array.of(new float[] {1.5f, -2}, DType.FLOAT16, 2);
        Array bf16 = Array.of(new float[] {0.25f, 4}, DType.BFLOAT16, 2);
        Array f32 = Array.of(new float[] {1e-4f, 1}, 2);
        Array ints = Array.of(new int[] {3, -7}, DType.INT32, 2);
        assertEquals(DType.FLOAT32, Jmlx.add(f16, bf16).dtype(), "float16 with bfloat16 gives float32");
        assertArrayEquals(new float[] {1.75f, 2}, Jmlx.add(f16, bf16).toFloatArray());
        assertEquals(DType.FLOAT32, Jmlx.add(f16, f32).dtype());
        assertArrayEquals(new float[] {1.5f + 1e-4f, -1}, Jmlx.add(f16, f32).toFloatArray());
        assertEquals(DType.FLOAT16, Jmlx.add(ints, f16).dtype(), "a float operand wins over an integer one");
        assertArrayEquals(new float[] {4.5f, -9}, Jmlx.add(ints, f16).toFloatArray());
        assertEquals(DType.BFLOAT16, Jmlx.add(bf16, bf16).dtype());
    }

    @Test
    void halfSumsRoundToNearestEven() {
        float ulpAtOne16 = 0x1p-10f;
        Array ones16 = Array.of(new float[] {1, 1, 1}, DType.FLOAT16, 3);
        Array small16 = Array.of(new float[] {ulpAtOne16 / 2, 3 * ulpAtOne16 / 2, ulpAtOne16}, DType.FLOAT16, 3);
        assertArrayEquals(
                new float[] {1, 1 + 2 * ulpAtOne16, 1 + ulpAtOne16},
                Jmlx.add(ones16, small16).toFloatArray(),
                "ties go to the even neighbour");
        float ulpAtOneBf16 = 0x1p-7f;
        Array onesBf = Array.of(new float[] {1, 1}, DType.BFLOAT16, 2);
        Array smallBf = Array.of(new float[] {ulpAtOneBf16 / 2, 3 * ulpAtOneBf16 / 2}, DType.BFLOAT16, 2);
        assertArrayEquals(
                new float[] {1, 1 + 2 * ulpAtOneBf16}, Jmlx.add(onesBf, smallBf).toFloatArray());
    }

    @Test
    void runsOnTheGivenStream() {
        Stream s = Stream.newStream(Device.cpu());
        Array a = RandomArrays.normal(3, 1, DType.BFLOAT16, 4, 8);
        Array b = RandomArrays.normal(4, 1, DType.BFLOAT16, 8);
        assertArrayEquals(Jmlx.add(a, b).toFloatArray(), Jmlx.add(a, b, s).toFloatArray());
    }

    @Test
    void rejectsShapesThatDoNotBroadcast() {
        Array a = Array.zeros(DType.FLOAT32, 2, 3);
        Array b = Array.zeros(DType.FLOAT32, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jmlx.add(a, b));
        assertEquals("[add] Shapes (2,3) and (4) cannot be broadcast.", e.getMessage());
    }

    @Test
    void rejectsNonFloatingResults() {
        Array a = Array.of(new int[] {1, 2}, DType.INT32, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jmlx.add(a, a));
        assertEquals(
                "[add] jmlx computes add for arrays whose promoted type is float32, float16 or bfloat16, but int32 + int32 "
                        + "promotes to int32.",
                e.getMessage());
        Array d = Array.zeros(DType.FLOAT64, 2);
        assertThrows(IllegalArgumentException.class, () -> Jmlx.add(d, Array.zeros(DType.FLOAT32, 2)));
    }
}
