package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;

/** Shapes, broadcasting and output types of quantize and quantized_matmul (spec §1.3, §4.2, Appendix A T10). */
class QuantizedMatmulShapesTest {

    @Test
    void batchedWeightKeepsLeadingDims() {
        QuantizedParts q = Jmlx.quantize(RandomArrays.normal(1, 1, DType.FLOAT32, 2, 8, 64), 64, 4);
        assertArrayEquals(new int[] {2, 8, 8}, q.packed().shape());
        assertArrayEquals(new int[] {2, 8, 1}, q.scales().shape());
        assertArrayEquals(new int[] {2, 8, 1}, q.biases().shape());
    }

    @Test
    void batchDimsBroadcastLikeMlx() {
        Array w = RandomArrays.normal(2, 1, DType.FLOAT32, 2, 8, 64);
        QuantizedParts q = Jmlx.quantize(w, 64, 4);
        Array x = RandomArrays.normal(3, 1, DType.FLOAT32, 3, 1, 5, 64);
        Array y = Jmlx.quantizedMatmul(x, q.packed(), q.scales(), q.biases(), true, 64, 4);
        assertArrayEquals(new int[] {3, 2, 5, 8}, y.shape());
        Array wHat = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 64, 4);
        assertClose(Jmlx.matmul(x, Jmlx.matrixTranspose(wHat)).toFloatArray(), y.toFloatArray(), 1e-5f);
    }

    @Test
    void vectorInputGivesVectorOutput() {
        QuantizedParts q = Jmlx.quantize(RandomArrays.normal(4, 1, DType.FLOAT32, 8, 64), 64, 4);
        Array x = RandomArrays.normal(5, 1, DType.FLOAT32, 64);
        Array y = Jmlx.quantizedMatmul(x, q.packed(), q.scales(), q.biases(), true, 64, 4);
        assertArrayEquals(new int[] {8}, y.shape());
        Array y2 = Jmlx.quantizedMatmul(x.reshape(1, 64), q.packed(), q.scales(), q.biases(), true, 64, 4);
        assertArrayEquals(y2.toFloatArray(), y.toFloatArray());
    }

    @Test
    void nonTransposedProductUsesRowsAsTheInnerDimension() {
        Array w = RandomArrays.normal(6, 1, DType.FLOAT32, 48, 128);
        QuantizedParts q = Jmlx.quantize(w, 32, 3);
        Array x = RandomArrays.normal(7, 1, DType.FLOAT32, 5, 48);
        Array y = Jmlx.quantizedMatmul(x, q.packed(), q.scales(), q.biases(), false, 32, 3);
        assertArrayEquals(new int[] {5, 128}, y.shape());
        Array wHat = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 32, 3);
        assertClose(Jmlx.matmul(x, wHat).toFloatArray(), y.toFloatArray(), 1e-5f);
    }

    @Test
    void outputTypePromotesXWithScales() {
        QuantizedParts q = Jmlx.quantize(RandomArrays.normal(8, 1, DType.FLOAT16, 8, 64), 64, 4);
        assertEquals(DType.FLOAT16, q.scales().dtype());
        Array xBf16 = RandomArrays.normal(9, 1, DType.BFLOAT16, 2, 64);
        assertEquals(
                DType.FLOAT32,
                Jmlx.quantizedMatmul(xBf16, q.packed(), q.scales(), q.biases(), true, 64, 4)
                        .dtype());
        Array xF16 = RandomArrays.normal(9, 1, DType.FLOAT16, 2, 64);
        assertEquals(
                DType.FLOAT16,
                Jmlx.quantizedMatmul(xF16, q.packed(), q.scales(), q.biases(), true, 64, 4)
                        .dtype());
    }

    static void assertClose(float[] expected, float[] actual, float relative) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            float tol = relative * Math.max(1f, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }
}
