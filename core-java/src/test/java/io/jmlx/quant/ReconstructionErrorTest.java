package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.testing.RandomArrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ReconstructionError} equals ‖W − Ŵ‖/‖W‖ computed from the whole {@code dequantize} output. */
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
        Array w = RandomArrays.normal(7, 0.05f, t, 300, 256); // 300 rows: several steps and a partial one
        QuantizationSettings s = QuantizationSettings.resolve(g, b, mode);
        QuantizedParts q = Jmlx.quantize(w, g, b, mode, null);
        Array back = Jmlx.dequantize(
                q.packed(), q.scales(), q.biases(), g, b, mode, null, s.mode().isAffine() ? null : DType.FLOAT32, null);
        float[] x = w.toFloatArray();
        float[] y = back.toFloatArray();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            diff += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
            norm += (double) x[i] * x[i];
        }
        assertEquals(Math.sqrt(diff / norm), ReconstructionError.relative(w, q, s), 1e-12);
    }
}
