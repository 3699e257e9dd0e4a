package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.quant.ReconstructionError;
import io.jmlx.quant.method.QuantizationMethod;
import io.jmlx.testing.RandomArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Quantization#quantize} with a method, on a small model: rtn is {@link Quantization#quantize} byte for byte; mse gives each
 * layer a reconstruction error no larger than rtn's; gptq runs the calibration once per block, block by block (and
 * one input more, which shows the embedding is no output head), and brings the model's outputs closer to float32's
 * than rtn; and a failure leaves the model as it was.
 */
class QuantizationMethodsTest {
    private static final QuantizationSettings G32_3 = new QuantizationSettings(32, 3, QuantizationMode.AFFINE);

    private static Sequential model() {
        return new Sequential(
                new Embedding(RandomArrays.normal(1, 0.5f, DType.FLOAT32, 50, 64)),
                new Linear(RandomArrays.normal(2, 0.1f, DType.FLOAT32, 128, 64), null),
                new Linear(RandomArrays.normal(3, 0.1f, DType.FLOAT32, 64, 128), null));
    }

    private static List<Array> tokens() {
        Random random = new Random(9);
        List<Array> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int[] ids = new int[16];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = random.nextInt(10); // a skewed vocabulary: most rows of the embedding never appear
            }
            out.add(Array.of(ids, DType.INT32, ids.length));
        }
        return out;
    }

    @Test
    void rtnIsModelLevelQuantizeByteForByte() {
        Sequential a = model();
        Sequential b = model();
        Quantization.quantize(a, G32_3, null, QuantizationMethod.RTN, null);
        Quantization.quantize(b, 32, 3, "affine");
        Map<String, Array> pa = a.parameters();
        Map<String, Array> pb = b.parameters();
        assertEquals(pb.keySet(), pa.keySet());
        pa.forEach((name, array) -> assertArrayEquals(pb.get(name).toFloatArray(), array.toFloatArray(), name));
    }

    @Test
    void mseLayersReconstructNoWorseThanRtn() {
        Sequential mse = model();
        Sequential dense = model();
        QuantizationResult r = Quantization.quantize(mse, G32_3, null, QuantizationMethod.MSE, null);
        assertEquals(
                List.of("layers.0", "layers.1", "layers.2"),
                List.copyOf(r.layers().keySet()));
        assertInstanceOf(QuantizedEmbedding.class, mse.layers().get(0));
        for (int i = 0; i < 3; i++) {
            QuantizedLayer q = (QuantizedLayer) mse.layers().get(i);
            Array w = dense.layers().get(i).parameters().get("weight");
            QuantizedParts ours = new QuantizedParts(q.weight(), q.scales(), q.biases());
            double rtn = ReconstructionError.relative(w, Jmlx.quantize(w, 32, 3, "affine", null), G32_3);
            assertTrue(ReconstructionError.relative(w, ours, G32_3) <= rtn, "layer " + i);
        }
    }

    @Test
    void gptqCalibratesBlockByBlockAndBeatsRtnOnTheOutputs() {
        Sequential dense = model();
        Sequential rtn = model();
        Sequential gptq = model();
        List<Array> inputs = tokens();
        int[] runs = {0};
        Calibration calibration = new Calibration() {
            @Override
            public int size() {
                return inputs.size();
            }

            @Override
            public Array run(Module m, int index) {
                runs[0]++;
                Array out = ((Layer) m).forward(inputs.get(index));
                out.data();
                return out;
            }
        };
        Quantization.quantize(rtn, G32_3, null, QuantizationMethod.RTN, null);
        Quantization.quantize(gptq, G32_3, null, QuantizationMethod.GPTQ, calibration);
        assertEquals(
                2 * inputs.size() + 1,
                runs[0],
                "each input once per block of linear layers, and one to see whether the embedding is a tied head");
        assertInstanceOf(QuantizedLinear.class, gptq.layers().get(1));
        assertTrue(outputError(dense, gptq, inputs) < 0.8 * outputError(dense, rtn, inputs));
    }

    @Test
    void aFailureLeavesTheModelAsItWas() {
        Sequential m = model();
        Layer first = m.layers().get(1);
        Calibration failing = new Calibration() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public Array run(Module model, int index) {
                throw new IllegalStateException("calibration failed");
            }
        };
        assertThrows(
                IllegalStateException.class,
                () -> Quantization.quantize(m, G32_3, null, QuantizationMethod.GPTQ, failing));
        assertSame(first, m.layers().get(1));
        assertInstanceOf(Embedding.class, m.layers().get(0));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Quantization.quantize(m, G32_3, null, QuantizationMethod.GPTQ, null));
        assertEquals(
                "The method gptq is calibrated: it needs calibration inputs (a Calibration that runs the model), "
                        + "but none was given.",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Quantization.quantize(
                        new Sequential(new TestModules.Mlp(64, 64)),
                        G32_3,
                        (path, x) -> QuantizeDecision.of(!(x instanceof Linear)),
                        QuantizationMethod.MSE,
                        null));
        assertEquals(
                "Quantization methods other than rtn quantize Linear and Embedding layers, but layer "
                        + "'layers.0.act' is a io.jmlx.nn.TestModules$Relu.",
                e.getMessage());
    }

    private static double outputError(Layer reference, Layer quantized, List<Array> inputs) {
        double sum = 0;
        for (Array x : inputs) {
            float[] a = reference.forward(x).toFloatArray();
            float[] b = quantized.forward(x).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                sum += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            }
        }
        return sum;
    }
}
