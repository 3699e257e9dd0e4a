package io.jmlx.gpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.backend.DeviceType;
import io.jmlx.gpu.Gpu;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Vulkan backend beneath the core: {@code Device.gpu()} exists, ops on GPU streams run the GPU's quantization
 * kernels (and the CPU's kernels for the other families, on the same memory), results come back from fences,
 * failures surface at {@code eval} as on the CPU, and results equal the CPU device's bit for bit where the kernels
 * are exact.
 */
class GpuBackendTest {

    private static Device gpu() {
        Gpu g = TestGpu.get();
        Device d = Device.gpu();
        assertEquals(g.physicalDevice().name(), d.name());
        return d;
    }

    private static Array random(long seed, DType dtype, int... shape) {
        Random r = new Random(seed);
        float[] v = new float[shape[0] * shape[1]];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Array.of(v, dtype, shape);
    }

    @Test
    void theGpuDeviceIsTheVulkanBackends() {
        Device d = gpu();
        assertEquals(DeviceType.GPU, d.type());
        assertTrue(Device.available().contains(d), Device.available().toString());
        assertTrue(Device.describeBackends().contains("vulkan: #"), Device.describeBackends());
        assertThrows(IllegalArgumentException.class, () -> Device.gpu(1));
    }

    @Test
    void quantizationOpsOnTheGpuGiveTheCpuBytes() {
        Device d = gpu();
        for (QuantizationSettings s : new QuantizationSettings[] {
            QuantizationSettings.of(64, 4, QuantizationMode.AFFINE),
            QuantizationSettings.of(32, 3, QuantizationMode.AFFINE),
            QuantizationSettings.defaults(QuantizationMode.MXFP4),
            QuantizationSettings.defaults(QuantizationMode.NVFP4)
        }) {
            for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
                Array w = random(7, t, 48, 256);
                QuantizedParts cpu = Jmlx.quantize(w, s, null, Device.cpu());
                QuantizedParts onGpu = Jmlx.quantize(w, s, null, d);
                String what = s + " " + t;
                assertArrayEquals(cpu.packed().toBytes(), onGpu.packed().toBytes(), what + " packed");
                assertArrayEquals(cpu.scales().toBytes(), onGpu.scales().toBytes(), what + " scales");
                if (s.mode().isAffine()) {
                    assertArrayEquals(cpu.biases().toBytes(), onGpu.biases().toBytes(), what + " biases");
                }
                assertArrayEquals(
                        Jmlx.dequantize(cpu, s, null, t, Device.cpu()).toBytes(),
                        Jmlx.dequantize(onGpu, s, null, t, d).toBytes(),
                        what + " dequantize");
            }
        }
    }

    @Test
    void aChainOfOpsOnAGpuStreamMatchesTheCpu() throws Exception {
        Device d = gpu();
        QuantizationSettings s = QuantizationSettings.of(64, 4, QuantizationMode.AFFINE);
        Array w = random(3, DType.FLOAT32, 64, 256);
        Array x = random(4, DType.FLOAT32, 3, 256);
        Array[] cpu = chain(Device.cpu(), w, x, s);
        Array[] onGpu = chain(Stream.newStream(d), w, x, s);
        // Nothing was submitted explicitly: the stream submits when it runs out of work; results come from fences.
        Jmlx.asyncEval(onGpu).get(60, TimeUnit.SECONDS);
        assertArrayEquals(cpu[0].toBytes(), onGpu[0].toBytes(), "add, quantize, dequantize, multiply, quantize");
        float[] want = cpu[1].toFloatArray();
        float[] got = onGpu[1].toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), "quantized matmul output " + i);
        }
    }

    /** add (the CPU's kernels on GPU memory), quantize, dequantize, multiply, quantize, quantized matmul. */
    private static Array[] chain(io.jmlx.stream.StreamOrDevice where, Array w, Array x, QuantizationSettings s) {
        try (var scope = Stream.use(where)) {
            Array doubled = Jmlx.add(w, w);
            Array back = Jmlx.dequantize(Jmlx.quantize(doubled, s), s);
            QuantizedParts q = Jmlx.quantize(Jmlx.multiply(back, back), s);
            return new Array[] {q.packed(), Jmlx.quantizedMatmul(x, q, true, s, null)};
        }
    }

    @Test
    void aFailingGpuKernelFailsItsOpAndTheOpsUsingItsResult() {
        Device d = gpu();
        QuantizationSettings s = QuantizationSettings.of(64, 4, QuantizationMode.AFFINE);
        float[] values = random(5, DType.FLOAT32, 8, 128).toFloatArray();
        values[5 * 128 + 77] = Float.NaN;
        Array w = Array.of(values, DType.FLOAT32, 8, 128);
        Stream stream = Stream.newStream(d);
        QuantizedParts q = Jmlx.quantize(w, s, null, stream);
        Array back = Jmlx.dequantize(q, s, null, null, stream);
        EvaluationException failed = assertThrows(EvaluationException.class, () -> Jmlx.eval(q.packed()));
        assertEquals("quantize", failed.op());
        assertEquals(
                "[quantize] w has the non-finite value NaN at row 5, column 77; MLX's result for NaN and Inf is "
                        + "unspecified, so jmlx refuses to quantize it",
                failed.getMessage());
        EvaluationException dependent = assertThrows(EvaluationException.class, () -> Jmlx.eval(back));
        assertTrue(dependent.getMessage().contains("non-finite value NaN at row 5, column 77"), dependent.getMessage());
        // The stream goes on working.
        QuantizedParts fine = Jmlx.quantize(random(6, DType.FLOAT32, 8, 128), s, null, stream);
        assertArrayEquals(
                Jmlx.quantize(random(6, DType.FLOAT32, 8, 128), s, null, Device.cpu())
                        .packed()
                        .toBytes(),
                fine.packed().toBytes());
    }
}
