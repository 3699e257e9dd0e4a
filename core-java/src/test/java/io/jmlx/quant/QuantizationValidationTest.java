package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Argument checks of quantize, dequantize and quantized_matmul: thrown at the call, in MLX's order, with MLX's
 * messages (spec §1.2, §3.2, §4.2 and Appendix A) or, where jmlx checks more than MLX, messages naming the
 * argument, what was expected and what was given.
 */
class QuantizationValidationTest {
    private static final Array W = Array.of(new float[4 * 64], 4, 64);

    private static void assertMessage(String expected, Executable call) {
        assertEquals(
                expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void quantizeMessagesAreMlxs() {
        assertMessage("[quantize] Invalid quantization mode 'xyz'.", () -> Jmlx.quantize(W, 64, 4, "xyz", null));
        assertMessage(
                "[quantize] Only real floating types can be quantized but w has type int32.",
                () -> Jmlx.quantize(Array.of(new int[8], DType.INT32, 2, 4)));
        assertMessage(
                "[quantize] The matrix to be quantized must have at least 2 dimension but it has only 1.",
                () -> Jmlx.quantize(Array.of(new float[64], 64)));
        assertMessage(
                "[quantize] The last dimension of the matrix needs to be divisible by the quantization group "
                        + "size 32. However the provided  matrix has shape (4,48)",
                () -> Jmlx.quantize(Array.of(new float[4 * 48], 4, 48), 32, 4));
        assertMessage(
                "[quantize] The requested group size 16 is not supported. The supported group sizes are 32, 64, "
                        + "and 128.",
                () -> Jmlx.quantize(W, 16, 4));
        assertMessage(
                "[quantize] The requested number of bits 7 is not supported. The supported bits are 2, 3, 4, 5, "
                        + "6 and 8.",
                () -> Jmlx.quantize(W, 64, 7));
        assertMessage(
                "[quantize] The requested group size 256 is not supported. The supported group sizes are 32, "
                        + "64, and 128.",
                () -> Jmlx.quantize(Array.of(new float[256], 1, 256), 256, 4));
    }

    @Test
    void quantizeChecksDivisibilityBeforeTheGroupSize() {
        assertMessage(
                "[quantize] The last dimension of the matrix needs to be divisible by the quantization group "
                        + "size 16. However the provided  matrix has shape (1,40)",
                () -> Jmlx.quantize(Array.of(new float[40], 1, 40), 16, 4));
    }

    @Test
    void quantizeRefusesFloat64AtTheCall() {
        Array w = Jmlx.astype(W, DType.FLOAT64);
        assertMessage(
                "[quantize] w has type float64, which MLX's CPU backend cannot quantize; convert it to float32 first.",
                () -> Jmlx.quantize(w));
    }

    @Test
    void dequantizeMessages() {
        QuantizedParts q = Jmlx.quantize(W, 64, 4);
        assertMessage(
                "[dequantize] Invalid quantization mode 'xyz'.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 64, 4, "xyz", null, null));
        assertMessage(
                "[dequantize] Only real floating types are supported but output dtype == int32.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 64, 4, "affine", DType.INT32, null));
        assertMessage(
                "[dequantize] Biases must be provided for affine quantization.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), null, 64, 4));
        Array ints = Array.of(new int[4], DType.INT32, 4, 1);
        assertMessage(
                "[dequantize] Only real floating types are supported but scales.dtype() == int32 and "
                        + "biases.dtype() == int32.",
                () -> Jmlx.dequantize(q.packed(), ints, ints, 64, 4));
        assertMessage(
                "[dequantize] Invalid value for bits: 0 (expected 1 to 8).",
                () -> Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 64, 0));
        assertMessage(
                "[dequantize] Invalid value for group_size: 0",
                () -> Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 0, 4));
        assertMessage(
                "[dequantize] Invalid value for group_size: -64",
                () -> Jmlx.dequantize(q.packed(), q.scales(), q.biases(), -64, 4));
        assertMessage(
                "[dequantize] The matrix should be given as a uint32 but w has type float32.",
                () -> Jmlx.dequantize(W, q.scales(), q.biases(), 64, 4));
        assertMessage(
                "[dequantize] The matrix to be dequantized must have at least 2 dimension but it has only 1.",
                () -> Jmlx.dequantize(
                        q.packed().reshape(32),
                        q.scales().reshape(4),
                        q.biases().reshape(4),
                        64,
                        4));
        assertMessage(
                "[dequantize] Shape of scales and biases does not match the matrix given the quantization "
                        + "parameters. Provided matrix of shape (4,8) and scales/biases of shape (4,1) with group_size=32 and bits=4.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 32, 4));
        assertMessage(
                "[dequantize] Shape of scales and biases does not match the matrix: w has shape (4,8) and scales "
                        + "(2,2), biases (2,2); all but the last dimension must be equal.",
                () -> Jmlx.dequantize(
                        q.packed(), q.scales().reshape(2, 2), q.biases().reshape(2, 2), 32, 4));
    }

    @Test
    void quantizedMatmulMessages() {
        Array w = Array.of(new float[8 * 64], 8, 64);
        QuantizedParts q = Jmlx.quantize(w, 32, 4);
        Array x = Array.of(new float[32], 1, 32);
        assertMessage(
                "[quantized_matmul] Last dimension of first input with shape (..., 32) does not match the "
                        + "expanded quantized matrix (64, 8) computed from shape (8,8) with group_size=32, bits=4 and transpose=true",
                () -> Jmlx.quantizedMatmul(x, q.packed(), q.scales(), q.biases(), true, 32, 4));
        assertMessage(
                "[quantized_matmul] The weight matrix should be uint32 but received float32",
                () -> Jmlx.quantizedMatmul(x, w, q.scales(), q.biases(), true, 32, 4));
        assertMessage(
                "[quantized_matmul] Scales and biases should have the same shape. Received scales with shape "
                        + "(8,2) and biases with (16,1)",
                () -> Jmlx.quantizedMatmul(x, q.packed(), q.scales(), q.biases().reshape(16, 1), true, 32, 4));
        assertMessage(
                "[quantized_matmul] The shapes of the weight and scales are incompatible based on bits and "
                        + "group_size. w.shape() == (8,8) and scales.shape() == (8,2) with group_size=64 and bits=4",
                () -> Jmlx.quantizedMatmul(x, q.packed(), q.scales(), q.biases(), true, 64, 4));
        assertMessage(
                "[quantized_matmul] Biases must be provided for affine quantization.",
                () -> Jmlx.quantizedMatmul(x, q.packed(), q.scales(), null, true, 32, 4));
        assertMessage(
                "[quantized_matmul] w must have at least 2 dimensions but has shape (64).",
                () -> Jmlx.quantizedMatmul(
                        x,
                        q.packed().reshape(64),
                        q.scales().reshape(16),
                        q.biases().reshape(16),
                        true,
                        32,
                        4));
        QuantizedParts batched = Jmlx.quantize(Array.of(new float[2 * 8 * 64], 2, 8, 64), 32, 4);
        assertMessage(
                "[quantized_matmul] Weight and scales should have the same batch shape. Received weight with shape "
                        + "(2,8,8), scales with (16,2).",
                () -> Jmlx.quantizedMatmul(
                        x.reshape(1, 1, 32),
                        batched.packed(),
                        batched.scales().reshape(16, 2),
                        batched.biases().reshape(16, 2),
                        true,
                        32,
                        4));
        Array x64 = Jmlx.astype(Array.of(new float[64], 1, 64), DType.FLOAT64);
        assertMessage(
                "[quantized_matmul] x of type float64 is not supported; use float32, float16 or bfloat16.",
                () -> Jmlx.quantizedMatmul(x64, q.packed(), q.scales(), q.biases(), true, 32, 4));
    }

    @Test
    void quantizedMatmulRejectsWhatMlxSilentlyMishandles() {
        Array w = Array.of(new float[2 * 8 * 64], 2, 8, 64);
        QuantizedParts q = Jmlx.quantize(w, 64, 4);
        assertMessage(
                "[quantized_matmul] w of shape (2,8,8) is batched but x of shape (5,64) has no batch dimensions "
                        + "(MLX would silently use w's first matrix only); give x batch dimensions, e.g. shape (1,5,64), to "
                        + "broadcast over w's batch.",
                () -> Jmlx.quantizedMatmul(
                        Array.of(new float[5 * 64], 5, 64), q.packed(), q.scales(), q.biases(), true, 64, 4));

        QuantizedParts q2 = Jmlx.quantize(Array.of(new float[16 * 64], 16, 64), 64, 4);
        Array x = Array.of(new float[64], 1, 64);
        Array packed8 = Jmlx.quantize(Array.of(new float[8 * 64], 8, 64), 64, 4).packed();
        assertMessage(
                "[quantized_matmul] scales has 16 rows but w has 8: scales must have shape (8,1) for w of shape (8,8).",
                () -> Jmlx.quantizedMatmul(x, packed8, q2.scales(), q2.biases(), true, 64, 4));
    }

    @Test
    void microscalingMessages() {
        Array w = Array.of(new float[4 * 64], 4, 64);
        assertMessage(
                "[quantize] mxfp4 quantization requires group size 32 but got 64.",
                () -> Jmlx.quantize(w, 64, 4, "mxfp4", null));
        assertMessage(
                "[quantize] mxfp8 quantization requires bits to be 8 but got 4.",
                () -> Jmlx.quantize(w, 32, 4, "mxfp8", null));
        assertMessage(
                "[quantize] nvfp4 quantization requires group size 16 but got 32.",
                () -> Jmlx.quantize(w, 32, 4, "nvfp4", null));
        Array global = Array.of(new float[] {2f}, 1);
        assertMessage(
                "[quantize] Global scale is only supported for 'nvfp4' quantization mode.",
                () -> Jmlx.quantize(w, 32, 4, "mxfp4", global, null));
        assertMessage(
                "[quantize] Global scale must be a scalar but got shape (2).",
                () -> Jmlx.quantize(w, 16, 4, "nvfp4", Array.of(new float[] {1, 2}, 2), null));
        assertMessage(
                "[quantize] Global scale must have dtype float32 but got float16.",
                () -> Jmlx.quantize(w, 16, 4, "nvfp4", global.astype(DType.FLOAT16), null));

        QuantizedParts q = Jmlx.quantize(w, "mxfp4");
        assertMessage(
                "[dequantize] Scale type must be uint8 but received type float32.",
                () -> Jmlx.dequantize(q.packed(), w, null, 32, 4, "mxfp4", null, null));
        assertMessage(
                "[dequantize] Biases must be null for quantization mode 'mxfp4'.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), q.scales(), 32, 4, "mxfp4", null, null));
        assertMessage(
                "[dequantize] mxfp4 quantization requires group size 32 but got 64.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), null, 64, 4, "mxfp4", null, null));
        assertMessage(
                "[dequantize] mxfp4 quantization requires bits to be 4 but got 3.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), null, 32, 3, "mxfp4", null, null));
        assertMessage(
                "[dequantize] Shape of scales does not match the matrix given the quantization parameters. "
                        + "Provided matrix of shape (4,8) and scales of shape (4,2) with group_size=16 and bits=4.",
                () -> Jmlx.dequantize(q.packed(), q.scales(), null, 16, 4, "nvfp4", null, null));
        assertMessage(
                "[quantized_matmul] Scale type must be uint8 but received type float32.",
                () -> Jmlx.quantizedMatmul(
                        Array.of(new float[64], 1, 64), q.packed(), w, null, true, 32, 4, "mxfp4", null));
        assertMessage(
                "[quantized_matmul] Only real floating types are supported but x.dtype() == int32.",
                () -> Jmlx.quantizedMatmul(
                        Array.of(new int[64], DType.INT32, 1, 64),
                        q.packed(),
                        q.scales(),
                        null,
                        true,
                        32,
                        4,
                        "mxfp4",
                        null));
    }

    @Test
    void nanInputFailsAtEvaluationNamingTheOp() {
        float[] values = new float[64];
        values[5] = Float.NaN;
        QuantizedParts q = Jmlx.quantize(Array.of(values, 1, 64));
        io.jmlx.EvaluationException e = assertThrows(io.jmlx.EvaluationException.class, () -> Jmlx.eval(q.packed()));
        assertEquals("quantize", e.op());
        assertEquals(
                "[quantize] w has the non-finite value NaN at row 0, column 5; MLX's result for NaN and Inf is "
                        + "unspecified, so jmlx refuses to quantize it",
                e.getMessage());
    }
}
