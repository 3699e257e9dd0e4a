package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.testing.RandomArrays;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert}, {@code quantize} and {@code dequantize} killed with SIGKILL (no shutdown hook runs) at moments
 * spread over their writing, each run in its own JVM. After every kill the output is absent or byte for byte what
 * an uninterrupted run writes, and the input is untouched; the next run on the same output says that it removed
 * what the killed one left; after a final run to completion, the folder holds the output and nothing else.
 */
class KilledRunsTest {
    /**
     * Kills per command, spread evenly from the moment the staging directory appears to the moment an uninterrupted
     * run ended.
     */
    private static final int KILLS = 8;

    /**
     * The children's JVM: what writes the files does not depend on the kernels, so the scalar ones on C1 and one
     * GC thread, the quickest start for these short runs (the vector kernels run cold three times slower).
     */
    private static final List<String> CHILD_JVM =
            List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djmlx.kernels=scalar");

    @TempDir
    static Path dir;

    static Path floatModel;
    static Path floatFile;
    static Path quantizedModel;

    @BeforeAll
    static void writeInputs() throws IOException {
        Map<String, Array> tensors = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            tensors.put(
                    "model.layers." + i + ".mlp.up_proj.weight",
                    RandomArrays.normal(i, 0.02f, DType.FLOAT32, 1024, 1024));
            tensors.put("model.layers." + i + ".norm.weight", RandomArrays.normal(100 + i, 1f, DType.FLOAT32, 1024));
        }
        floatModel = dir.resolve("inputs/model");
        Files.createDirectories(floatModel.getParent());
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree("{\"model_type\": \"generated\"}");
        CheckpointWriter.to(floatModel).shardBytes(1_500_000).write(config, tensors);
        floatFile = dir.resolve("inputs/weights.safetensors");
        Cli.write(floatFile, tensors, Map.of());
        quantizedModel = dir.resolve("inputs/model-4bit");
        Cli.Result converted = Cli.run("convert", "-i", floatModel, "-o", quantizedModel);
        assertEquals(0, converted.exitCode(), converted.toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void convert() throws Exception {
        killAndRecover("convert", floatModel, "model-4bit", "--shard-size", "100kB");
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void quantize() throws Exception {
        killAndRecover("quantize", floatFile, "weights-4bit.safetensors");
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void dequantize() throws Exception {
        killAndRecover("dequantize", quantizedModel, "model-dense");
    }

    private static void killAndRecover(String command, Path input, String outputName, String... options)
            throws Exception {
        String inputBefore = Cli.digest(input.getParent());
        Path reference =
                Files.createDirectories(dir.resolve(command + "/reference")).resolve(outputName);
        Path work = Files.createDirectories(dir.resolve(command + "/work"));
        Path output = work.resolve(outputName);

        Run full = Run.start(command, input, reference, options);
        long writing = full.finish(List.of()); // nanoseconds from the staging directory's appearance to the end
        assertEquals(0, full.exitCode, full.log);
        String expected = Cli.digest(reference);

        List<String> left = List.of();
        int completed = 0;
        for (int i = 0; i < KILLS; i++) {
            Run run = Run.start(command, input, output, options);
            run.killAt(writing * i / (KILLS - 1), left);
            assertReported(left, run.log);
            if (Files.exists(output)) {
                assertEquals(expected, Cli.digest(output), "kill " + i + ": a complete output\n" + run.log);
                completed++;
            }
            assertEquals(inputBefore, Cli.digest(input.getParent()), "kill " + i + ": the input is untouched");
            left = stagingDirectories(work, outputName);
        }
        Run last = Run.start(command, input, output, options);
        last.finish(left);
        assertEquals(0, last.exitCode, last.log);
        assertReported(left, last.log);
        assertEquals(List.of(outputName), Cli.listing(work), "only the output is left");
        assertEquals(expected, Cli.digest(output));
        assertEquals(inputBefore, Cli.digest(input.getParent()));
        System.out.printf(
                "%s: %d kills over %.0f ms of writing; %d left a complete output, %d none%n",
                command, KILLS, writing / 1e6, completed, KILLS - completed);
    }

    /** Every staging directory a killed run left is named in the next run's report of what it removed. */
    private static void assertReported(List<String> left, String log) {
        for (String name : left) {
            assertTrue(
                    log.contains("removed " + name) || log.contains("moved the previous output back from " + name),
                    "the next run reports " + name + ":\n" + log);
        }
    }

    private static List<String> stagingDirectories(Path folder, String outputName) throws IOException {
        return Cli.listing(folder).stream()
                .filter(n -> n.startsWith("." + outputName + "."))
                .toList();
    }

    /** One child JVM running a command with {@code --force}. */
    private static final class Run {
        final Process process;
        final Path output;
        final long started = System.nanoTime();
        final StringBuilder collected = new StringBuilder();
        final Thread reader;
        String log;
        int exitCode;

        private Run(Process process, Path output) {
            this.process = process;
            this.output = output;
            this.reader = Thread.ofVirtual().start(this::collect);
        }

        static Run start(String command, Path input, Path output, String... options) throws IOException {
            List<Object> args = new ArrayList<>(List.of(command, "-i", input, "-o", output, "--force"));
            args.addAll(List.of(options));
            return new Run(Cli.launch(CHILD_JVM, args.toArray()), output);
        }

        private void collect() {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (collected) {
                        collected.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException closed) {
                // The process was killed.
            }
        }

        /**
         * Waits for this run's staging directory to appear (one not in {@code before}); returns when it did
         * ({@link System#nanoTime}), or -1 if the run ended first.
         */
        long awaitStaging(List<String> before) throws InterruptedException, IOException {
            String prefix = "." + output.getFileName() + ".";
            while (process.isAlive()) {
                for (String name : Cli.listing(output.getParent())) {
                    if (name.startsWith(prefix) && name.endsWith(".tmp") && !before.contains(name)) {
                        return System.nanoTime();
                    }
                }
                Thread.sleep(1);
            }
            return -1;
        }

        /** Runs to the end; returns the nanoseconds from the staging directory's appearance to the exit. */
        long finish(List<String> before) throws InterruptedException, IOException {
            long staged = awaitStaging(before);
            assertTrue(process.waitFor(3, TimeUnit.MINUTES));
            long end = System.nanoTime();
            close();
            assertTrue(staged > 0, "the run wrote through a staging directory:\n" + log);
            return end - staged;
        }

        /** SIGKILL {@code delayNanos} after the staging directory appears (if the run is still going by then). */
        void killAt(long delayNanos, List<String> before) throws InterruptedException, IOException {
            long staged = awaitStaging(before);
            if (staged > 0) {
                long until = staged + delayNanos;
                while (System.nanoTime() < until && process.isAlive()) {
                    Thread.sleep(Math.max(0, Math.min(2, (until - System.nanoTime()) / 1_000_000)));
                }
            }
            process.destroyForcibly(); // SIGKILL
            assertTrue(process.waitFor(1, TimeUnit.MINUTES));
            close();
        }

        private void close() throws InterruptedException {
            reader.join();
            exitCode = process.exitValue();
            synchronized (collected) {
                log = "exit " + exitCode + " after " + (System.nanoTime() - started) / 1_000_000 + " ms\n" + collected;
            }
        }
    }
}
