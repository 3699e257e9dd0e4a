package io.jmlx.cli;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.io.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/**
 * {@code jmlx example}: writes a small deterministic checkpoint (a two-layer MLP) to try the other commands on.
 * The same bytes come out on every run and every machine.
 */
@Command(
        name = "example",
        mixinStandardHelpOptions = true,
        header = "Write a small deterministic example checkpoint (a two-layer MLP).",
        versionProvider = JmlxCommand.Version.class,
        description = {
            "Writes a small example checkpoint to try 'jmlx quantize' on: a two-layer MLP with",
            "  layers.0.weight (256,512) float32, layers.0.bias (256) float32,",
            "  layers.1.weight (64,256) bfloat16, layers.1.bias (64) bfloat16,",
            "  norm.weight (512) float32 (1-D, so quantize copies it),",
            "filled with Gaussian values * 0.05 from java.util.Random with a fixed seed: every run writes the "
                    + "same bytes."
        },
        footerHeading = "%nExample:%n",
        footer = {
            "  jmlx example --output ex.safetensors --force",
            "  jmlx quantize --input ex.safetensors --output ex-4bit.safetensors --force"
        })
public final class ExampleCommand extends OutputCommand {
    /** The seed of the example's values. */
    static final long SEED = 20250611L;

    /** The standard deviation of the example's values. */
    static final double STDDEV = 0.05;

    @Override
    int execute(PrintWriter out) throws IOException {
        checkOutput(null);
        Map<String, Array> tensors = tensors();
        SafetensorsWriter.write(output, tensors, Map.of("format", "mlx"));
        out.println("jmlx example: wrote " + output + " (" + bytes(Files.size(output)) + ")");
        for (Map.Entry<String, Array> e : tensors.entrySet()) {
            Array a = e.getValue();
            out.println("  " + pad(e.getKey(), 16) + pad(Shape.format(a.shape()) + " " + a.dtype(), 22)
                    + bytes(a.nbytes()));
        }
        return JmlxCommand.EXIT_OK;
    }

    /** The example tensors, sorted by name; the values are drawn in that order from one seeded generator. */
    static Map<String, Array> tensors() {
        Map<String, Array> tensors = new TreeMap<>();
        Random random = new Random(SEED);
        tensors.put("layers.0.bias", gaussian(random, DType.FLOAT32, 256));
        tensors.put("layers.0.weight", gaussian(random, DType.FLOAT32, 256, 512));
        tensors.put("layers.1.bias", gaussian(random, DType.BFLOAT16, 64));
        tensors.put("layers.1.weight", gaussian(random, DType.BFLOAT16, 64, 256));
        tensors.put("norm.weight", gaussian(random, DType.FLOAT32, 512));
        return tensors;
    }

    private static Array gaussian(Random random, DType dtype, int... shape) {
        float[] values = new float[Math.toIntExact(Shape.size(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * STDDEV);
        }
        return Array.of(values, dtype, shape);
    }
}
