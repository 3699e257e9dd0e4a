package io.jmlx.quant.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.kernels.KernelThreads;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.quant.ReconstructionError;
import io.jmlx.testing.RandomArrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link MseSearch} on random weights: MLX's layout (the tensors, shapes and dtypes of round to nearest, loadable as a
 * {@link QuantizedArray}), never a larger reconstruction error than round to nearest in any setting and dtype,
 * weighted or not, and the same bytes on every run and thread count.
 */
class MseSearchTest {
    private static QuantizationSettings affine(int g, int b) {
        return new QuantizationSettings(g, b, QuantizationMode.AFFINE);
    }

    @ParameterizedTest
    @CsvSource({
        "32,2,float32", "64,2,bfloat16", "128,2,float16",
        "32,3,float16", "64,3,float32", "128,3,bfloat16",
        "32,4,bfloat16", "64,4,float16", "128,4,float32",
        "32,5,float32", "64,5,bfloat16", "128,5,float16",
        "32,6,float16", "64,6,float32", "128,6,bfloat16",
        "32,8,bfloat16", "64,8,float16", "128,8,float32"
    })
    void mlxLayoutAndNeverWorseThanRoundToNearest(int g, int b, String dtype) {
        DType t = DType.parse(dtype);
        Array w = heavyTailed(g * 31L + b, t, 48, 256);
        QuantizationSettings s = affine(g, b);
        QuantizedParts rtn = Jmlx.quantize(w, g, b, "affine", null);
        QuantizedParts mse = MseSearch.quantize(w, s);
        sameLayout(rtn, mse);
        QuantizedArray loaded = QuantizedArray.fromParts(mse.packed(), mse.scales(), mse.biases(), g, b, "affine");
        assertArrayEquals(w.shape(), loaded.shape());
        double before = ReconstructionError.relative(w, rtn, s);
        double after = ReconstructionError.relative(w, mse, s);
        System.out.printf("%s g%d %d-bit: rtn %.5f  mse %.5f%n", dtype, g, b, before, after);
        assertTrue(after <= before, "mse " + after + " > rtn " + before);
        if (b <= 4) {
            assertTrue(after < 0.95 * before, "at " + b + " bits the search should gain over 5%: " + after);
        }
    }

    @Test
    void weightedErrorNeverAboveRoundToNearest() {
        Array w = heavyTailed(3, DType.FLOAT16, 32, 128);
        float[] importance = new float[128];
        Random random = new Random(5);
        for (int j = 0; j < importance.length; j++) {
            importance[j] = (float) Math.exp(3 * random.nextGaussian());
        }
        QuantizationSettings s = affine(64, 3);
        double rtn = weightedError(w, Jmlx.quantize(w, 64, 3, "affine", null), s, importance);
        double mse = weightedError(w, MseSearch.quantize(w, s, importance), s, importance);
        assertTrue(mse < rtn, "weighted " + mse + " vs rtn " + rtn);
        assertTrue(
                mse < weightedError(w, MseSearch.quantize(w, s), s, importance),
                "weighting by importance lowers the weighted error");
    }

    @Test
    void deterministicOnAnyNumberOfThreads() {
        Array w = heavyTailed(11, DType.BFLOAT16, 70, 128);
        QuantizationSettings s = affine(32, 4);
        QuantizedParts a = MseSearch.quantize(w, s);
        QuantizedParts[] b = new QuantizedParts[1];
        KernelThreads.sequentially(() -> b[0] = MseSearch.quantize(w, s));
        assertArrayEquals(a.packed().toIntArray(), b[0].packed().toIntArray());
        assertArrayEquals(a.scales().toFloatArray(), b[0].scales().toFloatArray());
        assertArrayEquals(a.biases().toFloatArray(), b[0].biases().toFloatArray());
    }

    @Test
    void constantAndZeroGroupsStayExact() {
        float[] v = new float[128];
        java.util.Arrays.fill(v, 64, 128, 0.375f);
        Array w = Array.of(v, DType.FLOAT32, 1, 128);
        QuantizedParts q = MseSearch.quantize(w, affine(64, 4));
        assertEquals(0, ReconstructionError.relative(w, q, affine(64, 4)));
    }

    @Test
    void refusesWhatItCannotQuantize() {
        Array w = heavyTailed(1, DType.FLOAT32, 2, 96);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MseSearch.quantize(w, affine(64, 4)));
        assertEquals(
                "[mse] w must have at least 2 dimensions and a last dimension divisible by the group size 64 but "
                        + "has shape (2,96).",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> MseSearch.quantize(w, QuantizationSettings.resolve(null, null, "mxfp4")));
        assertEquals(
                "[mse] quantizes in affine mode only but was asked for mxfp4; use rtn for the microscaling modes.",
                e.getMessage());
    }

    /** Normal weights with a few large outliers per row, as real layers have. */
    static Array heavyTailed(long seed, DType dtype, int rows, int cols) {
        float[] v = RandomArrays.normal(seed, 0.02f, DType.FLOAT32, rows, cols).toFloatArray();
        Random random = new Random(seed + 1);
        for (int r = 0; r < rows; r++) {
            v[r * cols + random.nextInt(cols)] *= 8;
        }
        return Array.of(v, dtype, rows, cols);
    }

    static void sameLayout(QuantizedParts expected, QuantizedParts actual) {
        assertArrayEquals(expected.packed().shape(), actual.packed().shape());
        assertEquals(expected.packed().dtype(), actual.packed().dtype());
        assertArrayEquals(expected.scales().shape(), actual.scales().shape());
        assertEquals(expected.scales().dtype(), actual.scales().dtype());
        assertArrayEquals(expected.biases().shape(), actual.biases().shape());
        assertEquals(expected.biases().dtype(), actual.biases().dtype());
    }

    /** {@code Σ h_j (W − Ŵ)²} with Ŵ from {@code dequantize}. */
    static double weightedError(Array w, QuantizedParts q, QuantizationSettings s, float[] h) {
        float[] x = w.toFloatArray();
        float[] y = Jmlx.dequantize(
                        q.packed(), q.scales(), q.biases(), s.groupSize(), s.bits(), "affine", null, null, null)
                .toFloatArray();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - y[i];
            sum += h[i % h.length] * d * d;
        }
        return sum;
    }
}
