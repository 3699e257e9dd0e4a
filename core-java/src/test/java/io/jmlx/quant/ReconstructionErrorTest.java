package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ReconstructionError} equals ‖W − Ŵ‖/‖W‖ computed from the whole {@code dequantize} output, or from the rows
 * a budget of elements measures.
 */
class ReconstructionErrorTest {
    @ParameterizedTest
    @CsvSource({
        "affine,64,4,float16",
        "affine,32,3,bfloat16",
        "affine,128,8,float32",
        "mxfp4,32,4,float32",
        "nvfp4,16,4,float16"
    })
    void matchesTheWholeDequantizedMatrix(String mode, int g, int b, String dtype) {
        DType t = DType.parse(dtype);
        Array w = RandomArrays.normal(7, 0.05f, t, 300, 256);
        QuantizationSettings s = QuantizationSettings.resolve(g, b, mode);
        QuantizedParts q = Jmlx.quantize(w, g, b, mode, null);
        Array back = Jmlx.dequantize(
                q.packed(), q.scales(), q.biases(), g, b, mode, null, s.mode().isAffine() ? null : DType.FLOAT32, null);
        assertEquals(
                error(w.toFloatArray(), back.toFloatArray(), 0, w.size()),
                ReconstructionError.relative(w, q, s),
                1e-12);
    }

    /** Over a budget of two steps of the four a weight takes, the first and the third step are measured. */
    @Test
    void aBudgetMeasuresEvenlySpreadRows() {
        Array w = RandomArrays.normal(8, 0.05f, DType.FLOAT32, 12300, 256);
        QuantizationSettings s = QuantizationSettings.DEFAULT;
        QuantizedParts q = Jmlx.quantize(w, s);
        float[] x = w.toFloatArray();
        float[] y = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 64, 4).toFloatArray();
        long step = 4096L * 256;
        double[] first = sums(x, y, 0, step);
        double[] third = sums(x, y, 2 * step, 3 * step);
        double expected = Math.sqrt((first[0] + third[0]) / (first[1] + third[1]));
        assertEquals(expected, ReconstructionError.relative(w, q, s, 2 * step), 1e-12);
        assertEquals(error(x, y, 0, x.length), ReconstructionError.relative(w, q, s, x.length), 1e-12);
    }

    private static double error(float[] x, float[] y, long from, long to) {
        double[] s = sums(x, y, from, to);
        return Math.sqrt(s[0] / s[1]);
    }

    /** {Σ (x − y)², Σ x²} over {@code [from, to)}. */
    private static double[] sums(float[] x, float[] y, long from, long to) {
        double diff = 0;
        double norm = 0;
        for (int i = (int) from; i < to; i++) {
            diff += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
            norm += (double) x[i] * x[i];
        }
        return new double[] {diff, norm};
    }
}
