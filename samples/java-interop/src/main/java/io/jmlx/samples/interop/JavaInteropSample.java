package io.jmlx.samples.interop;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.nn.ModelLoading;
import io.jmlx.nn.ModelSaving;
import io.jmlx.nn.Quantizable;
import io.jmlx.nn.Quantization;
import io.jmlx.nn.QuantizationResult;
import io.jmlx.nn.QuantizeDecision;
import io.jmlx.stream.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * jmlx from plain Java: build a small model, quantize it with a predicate (8 bits for the head, 4 for the rest),
 * save it in mlx-lm's layout, load it back into a fresh model and run both. Run with
 * {@code main [--device cpu|gpu] [DIR]}.
 */
public final class JavaInteropSample {
    /** What the sample did, for printing and checking. */
    public record Report(
            long denseBytes,
            long quantizedBytes,
            long filesBytes,
            float[] before,
            float[] after,
            QuantizationResult quantization) {}

    private JavaInteropSample() {}

    /** Runs the sample on the CPU, writing the model into {@code dir} (which must not exist yet). */
    public static Report run(Path dir) throws IOException {
        return run(dir, Device.cpu());
    }

    /** Runs the sample with every op on {@code device}, writing the model into {@code dir}. */
    public static Report run(Path dir, Device device) throws IOException {
        try (io.jmlx.stream.Stream.Scope scope = io.jmlx.stream.Stream.use(device)) {
            return runHere(dir);
        }
    }

    private static Report runHere(Path dir) throws IOException {
        TinyClassifier model = new TinyClassifier(1000, 128, 256, 10);
        long dense = bytes(model);

        QuantizationResult done = Quantization.quantize(
                model,
                64,
                4,
                "affine",
                (path, layer) -> path.equals("head")
                        ? QuantizeDecision.with(32, 8)
                        : QuantizeDecision.of(layer instanceof Quantizable));
        long quantized = bytes(model);

        Array tokens = Array.of(new int[] {17, 4, 256, 999, 3}, DType.INT32, 5);
        float[] before = model.forward(tokens).toFloatArray();

        ModelSaving.save(model, null, done.defaults(), CheckpointWriter.to(dir));
        TinyClassifier reloaded = new TinyClassifier(1000, 128, 256, 10);
        float[] after;
        try (ModelCheckpoint checkpoint = ModelCheckpoint.open(dir)) {
            ModelLoading.load(checkpoint, reloaded);
            after = reloaded.forward(tokens).toFloatArray();
        }
        long files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.mapToLong(p -> p.toFile().length()).sum();
        }
        return new Report(dense, quantized, files, before, after, done);
    }

    private static long bytes(TinyClassifier model) {
        return model.parameters().values().stream().mapToLong(Array::nbytes).sum();
    }

    /**
     * Runs the sample into the directory given (default: a new temporary directory), on the device {@code --device}
     * names (default the CPU), and prints what it did.
     */
    public static void main(String[] args) throws IOException {
        Device device = Device.cpu();
        List<String> rest = new ArrayList<>(List.of(args));
        int option = rest.indexOf("--device");
        if (option >= 0 && option + 1 < rest.size()) {
            device = Device.parse(rest.get(option + 1));
            rest.subList(option, option + 2).clear();
        }
        Path dir = !rest.isEmpty()
                ? Path.of(rest.getFirst())
                : Files.createTempDirectory("jmlx-java-sample").resolve("model");
        Report r = run(dir, device);
        System.out.println("quantized layers: " + r.quantization().layers());
        System.out.printf(
                Locale.ROOT,
                "parameters: %,d bytes dense -> %,d bytes quantized (%.1fx smaller)%n",
                r.denseBytes(),
                r.quantizedBytes(),
                (double) r.denseBytes() / r.quantizedBytes());
        System.out.printf(Locale.ROOT, "saved to %s: %,d bytes of files%n", dir, r.filesBytes());
        System.out.println("scores before saving: " + java.util.Arrays.toString(r.before()));
        System.out.println("scores after loading: " + java.util.Arrays.toString(r.after()));
    }
}
