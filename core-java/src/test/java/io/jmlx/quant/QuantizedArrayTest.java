package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;

/** The annotated quantized array: description, construction from parts, and matmul dispatch. */
class QuantizedArrayTest {
    private final Array weight = RandomArrays.normal(11, 0.1f, DType.FLOAT32, 24, 128); // [out, in]

    @Test
    void describesItself() {
        QuantizedArray q = QuantizedArray.fromDense(weight, 32, 3);
        assertTrue(q.isQuantized());
        assertFalse(weight.isQuantized());
        assertArrayEquals(new int[] {24, 128}, q.shape());
        assertArrayEquals(new int[] {128, 24}, q.transpose().shape());
        assertEquals(DType.FLOAT32, q.dtype());
        assertEquals(new QuantizationSettings(32, 3, QuantizationMode.AFFINE), q.settings());
        assertEquals("affine u3 (group 32)", q.settings().describeElements());
        assertArrayEquals(new int[] {24, 12}, q.packed().shape());
    }

    @Test
    void defaultsAreMlxs() {
        QuantizedArray q = QuantizedArray.fromDense(weight);
        assertEquals(64, q.groupSize());
        assertEquals(4, q.bits());
        assertEquals(QuantizationMode.AFFINE, q.mode());
    }

    @Test
    void matmulDispatchesToTheQuantizedProduct() {
        QuantizedArray q = QuantizedArray.fromDense(weight, 64, 4);
        Array x = RandomArrays.normal(12, 1, DType.FLOAT32, 3, 128);
        Array y = Jmlx.matmul(x, q.transpose());
        Array direct = Jmlx.quantizedMatmul(x, q.packed(), q.scales(), q.biases(), true, 64, 4);
        assertArrayEquals(direct.toFloatArray(), y.toFloatArray(), "x @ qᵀ is quantized_matmul(transpose=true)");
        Array dense = Jmlx.matmul(x, q.transpose().dequantize());
        QuantizedMatmulShapesTest.assertClose(dense.toFloatArray(), y.toFloatArray(), 1e-5f);

        Array x2 = RandomArrays.normal(13, 1, DType.FLOAT32, 3, 24);
        Array y2 = Jmlx.matmul(x2, q);
        assertArrayEquals(new int[] {3, 128}, y2.shape());
        QuantizedMatmulShapesTest.assertClose(Jmlx.matmul(x2, q.dequantize()).toFloatArray(), y2.toFloatArray(), 1e-5f);
    }

    @Test
    void quantizedLeftOperandIsRejected() {
        QuantizedArray q = QuantizedArray.fromDense(weight);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jmlx.matmul(q, weight));
        assertTrue(e.getMessage().startsWith("[matmul] a quantized left operand is not supported"), e.getMessage());
    }

    @Test
    void fromPartsRebuildsTheSameArray() {
        QuantizedParts parts = Jmlx.quantize(weight, 32, 5);
        QuantizedArray q = QuantizedArray.fromParts(parts.packed(), parts.scales(), parts.biases(), 32, 5, "affine");
        assertArrayEquals(new int[] {24, 128}, q.shape());
        assertArrayEquals(
                QuantizedArray.fromDense(weight, 32, 5).dequantize().toFloatArray(),
                q.dequantize().toFloatArray());
    }

    @Test
    void fromPartsChecksThatThePartsFit() {
        QuantizedParts parts = Jmlx.quantize(weight, 32, 4);
        IllegalArgumentException wrongGroup = assertThrows(
                IllegalArgumentException.class,
                () -> QuantizedArray.fromParts(parts.packed(), parts.scales(), parts.biases(), 64, 4, "affine"));
        assertEquals(
                "[QuantizedArray.fromParts] scales and biases of shape (24,4) do not fit packed codes of shape "
                        + "(24,16) with group_size=64 and bits=4: expected scales of shape (24,2).",
                wrongGroup.getMessage());
        IllegalArgumentException notPacked = assertThrows(
                IllegalArgumentException.class,
                () -> QuantizedArray.fromParts(weight, parts.scales(), parts.biases(), 32, 4, "affine"));
        assertEquals("[QuantizedArray.fromParts] packed must be uint32 but has type float32.", notPacked.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> QuantizedArray.fromParts(
                        parts.packed(), parts.scales(), parts.biases().reshape(48, 2), 32, 4, "affine"));
    }
}
