package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.testing.RandomArrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Quantized layers against their dense twins (the dequantized weight) and against the originals (scale-bounded error). */
class QuantizedLayersTest {
    private final Linear linear = new Linear(
            RandomArrays.normal(21, 0.05f, DType.FLOAT32, 48, 256), RandomArrays.normal(22, 0.1f, DType.FLOAT32, 48));
    private final Array x = RandomArrays.normal(23, 1, DType.FLOAT32, 5, 256);

    /** Each output of the quantized layer equals its twin's up to float reordering, relative to Σ|x|·|ŵ|. */
    private static void assertAgreesWithTwin(Array x, Array wHat, float[] quantized, float[] twin) {
        assertAgreesWithTwin(x, wHat, quantized, twin, 1e-5);
    }

    private static void assertAgreesWithTwin(Array x, Array wHat, float[] quantized, float[] twin, double relative) {
        float[] xs = x.toFloatArray();
        float[] ws = wHat.toFloatArray();
        int in = wHat.dim(1);
        int out = wHat.dim(0);
        for (int r = 0; r < xs.length / in; r++) {
            for (int j = 0; j < out; j++) {
                double magnitude = 0;
                for (int k = 0; k < in; k++) {
                    magnitude += Math.abs(xs[r * in + k] * ws[j * in + k]);
                }
                int i = r * out + j;
                assertEquals(twin[i], quantized[i], relative * magnitude + 1e-6, "output " + i);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "affine,32,2",
        "affine,64,3",
        "affine,64,4",
        "affine,128,5",
        "affine,32,6",
        "affine,64,8",
        "mxfp4,32,4",
        "mxfp8,32,8",
        "nvfp4,16,4"
    })
    void linearAgreesWithItsDenseTwin(String mode, int groupSize, int bits) {
        QuantizedLinear q = linear.toQuantized(groupSize, bits, mode);
        assertEquals(new QuantizationSettings(groupSize, bits, QuantizationSettings.parseMode(mode)), q.settings());
        Linear twin = q.toDense();
        assertArrayEquals(linear.bias().toFloatArray(), twin.bias().toFloatArray());
        assertAgreesWithTwin(
                x, twin.weight(), q.forward(x).toFloatArray(), twin.forward(x).toFloatArray());
    }

    @ParameterizedTest
    @CsvSource({"32,2", "64,4", "128,8"})
    void affineLinearStaysWithinTheQuantizationErrorOfTheOriginal(int groupSize, int bits) {
        QuantizedLinear q = QuantizedLinear.fromLinear(linear, groupSize, bits, "affine");
        float[] y = linear.forward(x).toFloatArray();
        float[] yq = q.forward(x).toFloatArray();
        float[] s = q.scales().toFloatArray();
        float[] xs = x.toFloatArray();
        int in = 256;
        int out = 48;
        int groups = in / groupSize;
        for (int r = 0; r < 5; r++) {
            for (int j = 0; j < out; j++) {
                double bound = 1e-4;
                for (int k = 0; k < in; k++) {
                    bound += Math.abs(xs[r * in + k]) * Math.abs(s[j * groups + k / groupSize]);
                }
                int i = r * out + j;
                assertEquals(y[i], yq[i], bound, "each weight is off by at most one step |scale|");
            }
        }
    }

    @Test
    void parametersAreMlxsKeysAndTypes() {
        QuantizedLinear affine = QuantizedLinear.fromLinear(linear);
        assertEquals(
                List.of("weight", "scales", "biases", "bias"),
                List.copyOf(affine.parameters().keySet()));
        assertEquals(DType.UINT32, affine.weight().dtype());
        assertArrayEquals(new int[] {48, 256 * 4 / 32}, affine.weight().shape());
        assertArrayEquals(new int[] {48, 256 / 64}, affine.scales().shape());
        assertEquals(DType.FLOAT32, affine.scales().dtype());
        assertEquals(new QuantizationSettings(64, 4, QuantizationMode.AFFINE), affine.settings());

        QuantizedLinear mx = new Linear(64, 48, false).toQuantized(null, null, "mxfp4");
        assertEquals(List.of("weight", "scales"), List.copyOf(mx.parameters().keySet()));
        assertEquals(DType.UINT8, mx.scales().dtype());
        assertNull(mx.biases());
        assertNull(mx.bias());
        assertEquals(new QuantizationSettings(32, 4, QuantizationMode.MXFP4), mx.settings(), "the mode's defaults");
        assertEquals(
                new QuantizationSettings(32, 8, QuantizationMode.MXFP8),
                linear.toQuantized(null, null, "mxfp8").settings());
    }

    @Test
    void bfloat16LayersKeepTheirType() {
        Linear bf =
                new Linear(linear.weight().astype(DType.BFLOAT16), linear.bias().astype(DType.BFLOAT16));
        QuantizedLinear q = bf.toQuantized(64, 4, null);
        assertEquals(DType.BFLOAT16, q.scales().dtype());
        Array y = q.forward(x.astype(DType.BFLOAT16));
        assertEquals(DType.BFLOAT16, y.dtype());
        assertEquals(DType.BFLOAT16, q.toDense().weight().dtype());
    }

    @ParameterizedTest
    @CsvSource({"affine,FLOAT32,FLOAT32", "affine,BFLOAT16,BFLOAT16", "mxfp4,FLOAT32,BFLOAT16", "mxfp8,FLOAT16,BFLOAT16"
    })
    void embeddingLooksUpDequantizedRowsInMlxsType(String mode, DType weightType, DType outputType) {
        Embedding e = new Embedding(RandomArrays.normal(31, 1, weightType, 20, 64));
        QuantizedEmbedding q = e.toQuantized(null, null, mode);
        Array ids = Array.of(new int[] {3, 19, 0, 3, 7, 7}, DType.INT32, 2, 3);
        Array rows = q.forward(ids);
        assertEquals(outputType, rows.dtype());
        assertArrayEquals(new int[] {2, 3, 64}, rows.shape());
        Embedding twin = q.toDense();
        assertArrayEquals(
                twin.forward(ids).toFloatArray(),
                rows.toFloatArray(),
                "gathering packed rows then dequantizing is dequantizing then gathering");
        Array h = RandomArrays.normal(32, 1, DType.FLOAT32, 4, 64);
        Embedding twin32 = new Embedding(twin.weight().astype(DType.FLOAT32));
        // A float32 x promotes affine bfloat16 scales: the packed product dequantizes in float32, the twin's weight
        // was rounded to bfloat16, so they differ by up to one bfloat16 rounding per weight.
        double relative = mode.equals("affine") && weightType != DType.FLOAT32 ? 0x1p-8 : 1e-5;
        assertAgreesWithTwin(
                h,
                twin32.weight(),
                q.asLinear(h).toFloatArray(),
                twin32.asLinear(h).toFloatArray(),
                relative);
    }

    @Test
    void groupSizeMustDivideTheInputWithMlxsMessage() {
        Linear odd = new Linear(96, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> odd.toQuantized(64, 4, null));
        assertEquals(
                "[quantize] The last dimension of the matrix needs to be divisible by the quantization group size "
                        + "64. However the provided  matrix has shape (8,96)",
                e.getMessage());
        IllegalArgumentException mode =
                assertThrows(IllegalArgumentException.class, () -> odd.toQuantized(32, 4, "int4"));
        assertEquals(
                "Invalid quantization mode 'int4'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.", mode.getMessage());
    }

    @Test
    void constructorsRejectWeightsLayersCannotUse() {
        QuantizedArray w = QuantizedArray.fromDense(linear.weight(), 64, 4);
        IllegalArgumentException transposed =
                assertThrows(IllegalArgumentException.class, () -> new QuantizedLinear(w.transpose(), null));
        assertTrue(
                transposed.getMessage().startsWith("[QuantizedLinear] weight must be a 2-D quantized matrix as stored"),
                transposed.getMessage());
        IllegalArgumentException bias = assertThrows(
                IllegalArgumentException.class, () -> new QuantizedLinear(w, Array.zeros(DType.FLOAT32, 256)));
        assertTrue(
                bias.getMessage().startsWith("[QuantizedLinear] bias must be a floating vector of shape (48)"),
                bias.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new QuantizedEmbedding(null));
    }
}
