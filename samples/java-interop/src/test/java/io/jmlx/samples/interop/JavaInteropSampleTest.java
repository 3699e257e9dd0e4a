package io.jmlx.samples.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.backend.DeviceType;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.nn.ModelLoading;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.stream.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain-Java sample runs without Kotlin and gets the same scores back from its saved model, on the CPU and on the
 * GPU.
 */
class JavaInteropSampleTest {
    @TempDir
    Path dir;

    @Test
    void buildsQuantizesSavesReloadsAndRunsWithoutKotlin() throws IOException {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("kotlin.Unit"), "no Kotlin on the class path");
        JavaInteropSample.Report r = JavaInteropSample.run(dir.resolve("model"));
        assertEquals(
                Map.of(
                        "embed", new QuantizationSettings(64, 4, QuantizationMode.AFFINE),
                        "hidden", new QuantizationSettings(64, 4, QuantizationMode.AFFINE),
                        "head", new QuantizationSettings(32, 8, QuantizationMode.AFFINE)),
                r.quantization().layers());
        assertTrue(r.quantizedBytes() * 4 < r.denseBytes(), r.denseBytes() + " -> " + r.quantizedBytes());
        assertEquals(10, r.before().length);
        assertArrayEquals(r.before(), r.after(), "the reloaded model computes the same scores");
        assertTrue(Files.exists(dir.resolve("model/config.json")));
    }

    @Test
    void onTheGpuItComputesWhatTheCpuComputesFromTheSameModel() throws IOException {
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            assumeTrue(Device.isAvailable(DeviceType.GPU), "no GPU: " + Device.describeBackends());
        }
        JavaInteropSample.Report gpu = JavaInteropSample.run(dir.resolve("gpu"), Device.gpu());
        // The model the GPU quantized and saved, run on the CPU: the same scores, to float32 summation order.
        TinyClassifier onCpu = new TinyClassifier(1000, 128, 256, 10);
        float[] cpu;
        try (ModelCheckpoint checkpoint = ModelCheckpoint.open(dir.resolve("gpu"))) {
            ModelLoading.load(checkpoint, onCpu);
            cpu = onCpu.forward(Array.of(new int[] {17, 4, 256, 999, 3}, DType.INT32, 5))
                    .toFloatArray();
        }
        for (int i = 0; i < cpu.length; i++) {
            assertEquals(cpu[i], gpu.after()[i], 1e-4 * (1 + Math.abs(cpu[i])), "score " + i);
        }
        assertArrayEquals(gpu.before(), gpu.after(), "the reloaded model computes the same scores on the GPU");
    }
}
