package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.llama.Llama;
import io.jmlx.models.llama.TextTokenizer;
import io.jmlx.models.llama.TokenWindows;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jmlx convert --method}, {@code --calibration} and {@code --bits-per-weight} on TinyStories: every method
 * writes the tensors, shapes and dtypes round to nearest writes, which the ordinary loader reads, and lowers the loss
 * on held-out stories ({@code examples/tinystories-heldout.txt}, not the calibration text); a budget writes per-layer
 * entries and fits; mistakes are usage errors.
 */
class ConvertMethodsTest {
    @TempDir
    Path dir;

    private static Path tinyStories() {
        return SharedData.tinyStoriesModel().getParent();
    }

    private static Path heldOutStories() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path f = d.resolve("examples/tinystories-heldout.txt");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new AssertionError("examples/tinystories-heldout.txt not found above "
                + Path.of("").toAbsolutePath());
    }

    private Path convert(String name, Object... options) {
        Path out = dir.resolve(name);
        Object[] args = new Object[options.length + 5];
        args[0] = "convert";
        args[1] = "-i";
        args[2] = tinyStories();
        args[3] = "-o";
        args[4] = out;
        System.arraycopy(options, 0, args, 5, options.length);
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.exitCode(), r.toString());
        System.out.print(r.out());
        return out;
    }

    /** Mean NLL of the float or converted model (with its tokenizer) on the held-out stories, loaded as any checkpoint. */
    private static double heldOutLoss(Path model) throws IOException {
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(model)) {
            Llama llama = Llama.load(ckpt);
            TextTokenizer tokenizer = TextTokenizer.forModel(model, null, ckpt.config()); // tokenizer.bin, carried
            return llama.loss(TokenWindows.of(tokenizer, Files.readString(heldOutStories()), 512))
                    .meanNll();
        }
    }

    @Test
    void listsTheMethods() {
        Cli.Result r = Cli.run("convert", "--list-methods");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(
                List.of("rtn data-free", "mse data-free", "gptq calibrated"),
                r.out().lines().toList());
    }

    @Test
    void everyMethodWritesMlxsLayoutAndBeatsRoundToNearestOnHeldOutStories() throws IOException {
        Path rtn = convert("rtn");
        Path mse = convert("mse", "--method", "mse");
        Path gptq = convert("gptq", "--method", "gptq", "--calibration", "self");
        try (ModelCheckpoint a = ModelCheckpoint.open(rtn);
                ModelCheckpoint b = ModelCheckpoint.open(mse);
                ModelCheckpoint c = ModelCheckpoint.open(gptq)) {
            assertEquals(a.names(), b.names());
            assertEquals(a.names(), c.names());
            for (String name : a.names()) {
                for (ModelCheckpoint other : List.of(b, c)) {
                    assertEquals(a.info(name).dtype(), other.info(name).dtype(), name);
                    assertArrayEquals(a.info(name).shape(), other.info(name).shape(), name);
                }
            }
            assertEquals(a.config().get("quantization"), c.config().get("quantization"));
        }
        double float32 = heldOutLoss(tinyStories());
        double lossRtn = heldOutLoss(rtn);
        double lossMse = heldOutLoss(mse);
        double lossGptq = heldOutLoss(gptq);
        System.out.printf(
                "held-out mean NLL: float32 %.5f, rtn %.5f, mse %.5f, gptq %.5f%n",
                float32, lossRtn, lossMse, lossGptq);
        assertTrue(lossMse < lossRtn, "mse " + lossMse + " vs rtn " + lossRtn);
        assertTrue(lossGptq < lossMse, "gptq " + lossGptq + " vs mse " + lossMse);
    }

    @Test
    void aBitsPerWeightBudgetWritesPerLayerEntriesAndFits() throws IOException {
        Path out = convert("budget", "--bits-per-weight", "4.25", "--method", "mse");
        try (ModelCheckpoint q = ModelCheckpoint.open(out)) {
            JsonNode quantization = q.config().get("quantization");
            long entries = 0;
            long weights = 0;
            long bytes = 0;
            for (String name : q.names()) {
                if (!name.endsWith(".scales")) {
                    continue;
                }
                String layer = name.substring(0, name.length() - ".scales".length());
                entries += quantization.has(layer) ? 1 : 0;
                var s = q.layerQuantization(layer).orElseThrow();
                int[] packed = q.info(layer + ".weight").shape();
                weights += (long) packed[0] * packed[1] * 32 / s.bits();
                bytes += q.info(layer + ".weight").byteSize()
                        + q.info(name).byteSize()
                        + q.info(layer + ".biases").byteSize();
            }
            assertTrue(entries > 0, "some layer differs from the global settings: " + quantization);
            assertTrue(8.0 * bytes / weights <= 4.25, 8.0 * bytes / weights + " bits per weight");
            Llama.load(q); // the ordinary loader reads the per-layer settings
        }
    }

    @Test
    void mistakesAreUsageErrors() throws IOException {
        Path out = dir.resolve("out");
        assertUsage(Cli.run("convert", "-i", tinyStories(), "-o", out, "--method", "gptq"), "--calibration self");
        assertUsage(Cli.run("convert", "-i", tinyStories(), "-o", out, "--method", "awq"), "The methods are: rtn");
        assertUsage(
                Cli.run("convert", "-i", tinyStories(), "-o", out, "--calibration", "self"),
                "the method rtn is data-free");
        assertUsage(
                Cli.run("convert", "-i", tinyStories(), "-o", out, "--method", "mse", "--mode", "mxfp4"),
                "affine mode only");
        Path file = SharedData.golden("affine_float32_64x128.safetensors");
        assertUsage(
                Cli.run("convert", "-i", file, "-o", out, "--method", "gptq", "--calibration", "self"),
                "needs a model jmlx can run");
        assertUsage(
                Cli.run("convert", "-i", tinyStories(), "-o", out, "--bits-per-weight", "1.5"), "below the smallest");
        assertTrue(Files.notExists(out));
    }

    private static void assertUsage(Cli.Result r, String part) {
        assertEquals(JmlxCommand.EXIT_USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains(part), "expected '" + part + "' in: " + r.err());
    }
}
