package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.backend.DeviceType;
import io.jmlx.stream.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device gpu} on {@code quantize} and {@code dequantize} writes the same bytes as the CPU. Needs a Vulkan
 * device: without one the test is skipped with one line, except under {@code CI=true}.
 */
class DeviceOptionTest {
    @TempDir
    Path dir;

    private static void requireGpu() {
        if (Device.isAvailable(DeviceType.GPU)) {
            return;
        }
        String why = "no GPU device for --device gpu: " + Device.describeBackends();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + " (CI=true: the GPU tests must run)");
        }
        System.out.println("[jmlx-cli] skipped: " + why);
        Assumptions.abort(why);
    }

    @Test
    void quantizeAndDequantizeOnTheGpuWriteTheCpuBytes() throws IOException {
        requireGpu();
        Random r = new Random(3);
        Map<String, Array> tensors = new TreeMap<>();
        tensors.put("a.weight", QuantizeRoundTripTest.gaussian(r, DType.FLOAT16, 0.02, 16, 256));
        tensors.put("b.weight", QuantizeRoundTripTest.gaussian(r, DType.FLOAT32, 1.0, 3, 8, 128));
        tensors.put("c.weight", QuantizeRoundTripTest.gaussian(r, DType.BFLOAT16, 0.1, 32, 384));
        tensors.put("c.bias", QuantizeRoundTripTest.gaussian(r, DType.BFLOAT16, 0.1, 32));
        Path in = dir.resolve("in.safetensors");
        Cli.write(in, tensors, Map.of("format", "pt"));
        for (List<String> settings : List.of(
                List.of("-b", "4", "-g", "64"),
                List.of("-b", "3", "-g", "32"),
                List.of("--mode", "mxfp4"),
                List.of("--mode", "nvfp4"))) {
            Path[] dequantized = new Path[2];
            byte[][] quantized = new byte[2][];
            for (int i = 0; i < 2; i++) {
                String device = i == 0 ? "cpu" : "gpu";
                Path q = dir.resolve(device + "-q.safetensors");
                Path d = dir.resolve(device + "-d.safetensors");
                Files.deleteIfExists(q);
                Files.deleteIfExists(d);
                List<Object> args =
                        new java.util.ArrayList<>(List.of("quantize", "-i", in, "-o", q, "--device", device));
                args.addAll(settings);
                Cli.Result quantize = Cli.run(args.toArray());
                assertEquals(0, quantize.exitCode(), quantize.toString());
                Cli.Result dequantize = Cli.run("dequantize", "-i", q, "-o", d, "--device", device);
                assertEquals(0, dequantize.exitCode(), dequantize.toString());
                quantized[i] = Files.readAllBytes(q);
                dequantized[i] = d;
            }
            assertArrayEquals(quantized[0], quantized[1], "quantize " + settings);
            assertArrayEquals(
                    Files.readAllBytes(dequantized[0]), Files.readAllBytes(dequantized[1]), "dequantize " + settings);
        }
    }

    @Test
    void anUnknownDeviceIsAUsageError() throws IOException {
        Path in = dir.resolve("in.safetensors");
        Cli.write(in, Map.of("a.weight", Array.zeros(DType.FLOAT32, 4, 64)), Map.of());
        Cli.Result r = Cli.run("quantize", "-i", in, "-o", dir.resolve("out.safetensors"), "--device", "tpu");
        assertEquals(JmlxCommand.EXIT_USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--device must be cpu or gpu, not 'tpu'"), r.toString());
    }
}
