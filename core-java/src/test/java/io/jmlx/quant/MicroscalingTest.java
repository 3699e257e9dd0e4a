package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The microscaling modes through the public API: defaults, shapes, types, the quantized array and its matmul. */
class MicroscalingTest {

    @ParameterizedTest
    @ValueSource(strings = {"mxfp4", "mxfp8", "nvfp4"})
    void defaultsShapesAndTypes(String mode) {
        QuantizationMode m = QuantizationMode.parse("test", mode);
        Array w = RandomArrays.normal(41, 1, DType.BFLOAT16, 2, 3, 64);
        QuantizedParts q = Jmlx.quantize(w, mode);
        assertArrayEquals(
                new int[] {2, 3, 64 * m.defaultBits() / 32}, q.packed().shape());
        assertArrayEquals(
                new int[] {2, 3, 64 / m.defaultGroupSize()}, q.scales().shape());
        assertEquals(DType.UINT8, q.scales().dtype());
        assertNull(q.biases());
        Array d = Jmlx.dequantize(q.packed(), q.scales(), mode);
        assertEquals(DType.BFLOAT16, d.dtype());
        assertArrayEquals(w.shape(), d.shape());
        Array d32 = Jmlx.dequantize(q.packed(), q.scales(), null, null, null, mode, DType.FLOAT32, null);
        assertEquals(DType.FLOAT32, d32.dtype());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mxfp4", "mxfp8", "nvfp4"})
    void quantizedArrayMultipliesLikeItsDenseEquivalent(String mode) {
        Array w = RandomArrays.normal(42, 0.5f, DType.FLOAT32, 24, 96);
        QuantizedArray q = QuantizedArray.fromDense(w, mode);
        assertEquals(mode, q.mode().mlxName());
        assertTrue(q.isQuantized());
        assertNull(q.biases());
        Jmlx.eval(q);
        assertTrue(Jmlx.asyncEval(q).isDone(), "eval takes a microscaled array (no biases)");
        assertEquals(DType.FLOAT32, q.dtype(), "fromDense keeps the weight's type");
        Array dense = q.dequantize();
        assertEquals(DType.FLOAT32, dense.dtype());
        Array x = RandomArrays.normal(43, 1, DType.FLOAT32, 5, 96);
        QuantizedMatmulShapesTest.assertClose(
                Jmlx.matmul(x, q.transpose().dequantize()).toFloatArray(),
                Jmlx.matmul(x, q.transpose()).toFloatArray(),
                1e-5f);
        Array x2 = RandomArrays.normal(44, 1, DType.FLOAT16, 5, 24);
        Array y2 = Jmlx.matmul(x2, q);
        assertEquals(DType.FLOAT16, y2.dtype(), "the output has x's type in the microscaling modes");
        QuantizedMatmulShapesTest.assertClose(
                Jmlx.matmul(x2.astype(DType.FLOAT32), dense).toFloatArray(), y2.toFloatArray(), 2e-3f);
    }

    @Test
    void nvfp4GlobalScaleTravelsWithTheArray() {
        Array w = RandomArrays.normal(45, 3, DType.FLOAT32, 8, 32);
        float amax = 0;
        for (float v : w.toFloatArray()) {
            amax = Math.max(amax, Math.abs(v));
        }
        Array global = Array.of(new float[] {amax}, 1);
        QuantizedArray q = QuantizedArray.fromDense(w, null, null, "nvfp4", global, null);
        assertEquals(global, q.globalScale());
        Array direct = Jmlx.dequantize(q.packed(), q.scales(), null, 16, 4, "nvfp4", global, null, null);
        assertEquals(DType.FLOAT32, direct.dtype(), "with a global scale the default output is float32, as in MLX");
        assertArrayEquals(direct.toFloatArray(), q.dequantize().toFloatArray());
        Array x = RandomArrays.normal(46, 1, DType.FLOAT32, 3, 32);
        QuantizedMatmulShapesTest.assertClose(
                Jmlx.matmul(x, Jmlx.matrixTranspose(direct)).toFloatArray(),
                Jmlx.matmul(x, q.transpose()).toFloatArray(),
                1e-5f);
        QuantizedArray rebuilt = QuantizedArray.fromParts(q.packed(), q.scales(), null, global, 16, 4, "nvfp4");
        assertArrayEquals(direct.toFloatArray(), rebuilt.dequantize().toFloatArray());
        assertEquals("nvfp4 e2m1 (group 16)", rebuilt.settings().describeElements());
    }

    @Test
    void totalSizesNeedNotBeMultiplesOf32() {
        // MLX's CPU nvfp4 quantize fails unless the element count is a multiple of 32; jmlx quantizes per row.
        Array w = RandomArrays.normal(47, 1, DType.FLOAT16, 3, 16);
        QuantizedParts q = Jmlx.quantize(w, "nvfp4");
        assertArrayEquals(new int[] {3, 2}, q.packed().shape());
        assertEquals(3, Jmlx.dequantize(q.packed(), q.scales(), "nvfp4").dim(0));
    }
}
