package io.jmlx.bench;

import io.jmlx.Array;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.llama.KvCache;
import io.jmlx.models.llama.Llama;
import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * End to end: one greedy decoding step of the TinyStories Llama (the whole forward pass of one token with its KV
 * cache, and the argmax), on {@code device}. The cache starts over every {@value #CONTEXT} tokens, so the steps
 * average short contexts. The model comes from {@code -p model=DIR} (default: {@code shared/models/tinystories-260k}
 * found above the working directory); {@code -p bits=4} quantizes it first (group size 32), on the device. Rates
 * count the weights' bytes and 2 flops per weight per token.
 */
public class GenerationBench extends JmlxBenchmark {
    private static final int CONTEXT = 64;
    private static final int BOS = 1;
    private static final String SHARED_MODEL = "shared/models/tinystories-260k";

    /** The model directory; empty: the shared TinyStories model. */
    @Param({""})
    public String model;

    /** 0: float32 weights; else quantize to this many bits (affine, group size 32) first. */
    @Param({"0"})
    public int bits;

    /** Where the model runs: {@code cpu} or {@code gpu}. */
    @Param({"cpu"})
    public String device;

    private Device on;
    private ModelCheckpoint checkpoint;
    private Llama llama;
    private KvCache cache;
    private int token;
    private int steps;

    /** Loads (and quantizes) the model on the device and runs a first step. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        on = Device.parse(device);
        checkpoint = ModelCheckpoint.open(modelDirectory(model));
        try (Stream.Scope scope = Stream.use(on)) {
            llama = Llama.load(checkpoint);
            if (bits > 0) {
                llama.quantize(32, bits);
            }
        }
        step();
    }

    /** Closes the checkpoint. */
    @TearDown(Level.Trial)
    public void tearDown() {
        checkpoint.close();
    }

    /** One token: the forward pass over the previous token, the argmax, waiting for it. */
    @Benchmark
    public int step() {
        if (steps % CONTEXT == 0) {
            cache = llama.newCache();
            token = BOS;
        }
        steps++;
        try (Stream.Scope scope = Stream.use(on)) {
            Array next = llama.nextToken(new int[] {token}, cache);
            token = next.toIntArray()[0];
            return token;
        }
    }

    private static Path modelDirectory(String given) {
        if (!given.isEmpty()) {
            return Path.of(given);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(SHARED_MODEL))) {
                return dir.resolve(SHARED_MODEL);
            }
        }
        throw new UncheckedIOException(new IOException("no " + SHARED_MODEL + " above "
                + Path.of("").toAbsolutePath() + "; give the model directory with -p model=DIR"));
    }

    static Workload workload(BenchmarkParams p) {
        int bits = Integer.parseInt(p.getParam("bits"));
        String model = p.getParam("model");
        long weights;
        try (ModelCheckpoint c = ModelCheckpoint.open(modelDirectory(model))) {
            weights = c.names().stream().mapToLong(n -> c.get(n).size()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double bytes = bits == 0 ? 4.0 * weights : weights * (bits / 8.0 + 4.0 / 32);
        return new Workload(
                (model.isEmpty() ? "tinystories-260k" : Path.of(model).getFileName()) + " "
                        + (bits == 0 ? "float32" : bits + "-bit"),
                bytes,
                2.0 * weights);
    }
}
