package io.jmlx.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./bench --interleaved [M,...] [seconds]}: jmlx's 4-bit product and the peers' in one JVM, in turns of
 * about 100 ms each, round after round, so that a machine shared with other work slows them alike and their ratio
 * stays meaningful where separate JMH forks would each meet a different load. Prints the median time per op of
 * every product and the ratio jmlx/peer for each M (4096×4096, jmlx 4 bits group 64 float32; one thread).
 *
 * <p>{@code ./bench --interleaved minilm [seconds]}: the same for MiniLM end to end ({@link MiniLmBench}: jmlx 4-bit
 * and float32, ONNX Runtime float32 and int8), in sentences per second. {@code ./bench --interleaved llama [seconds]}:
 * a Llama-3.2-1B-shaped 4-bit decoding step ({@link LlamaDecodeBench}) in turns with the streaming-read baseline,
 * in tokens per second against the memory bound (weight bytes per token ÷ read bandwidth).
 */
public final class Interleaved {
    private static final long SLICE_NANOS = 100_000_000L;
    /** Products slower than this per op are left out (Jlama's Java kernels at large M). */
    private static final double MAX_MS = 1000;

    /** One product to time. */
    private interface Op {
        void run() throws Exception;
    }

    private record Entry(Op op, AutoCloseable close) {}

    private Interleaved() {}

    /** {@code args}: comma-separated M values (default 1,2,4,8,16,32,512), then seconds per M (default 20). */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("minilm")) {
            miniLm(args.length > 1 ? Long.parseLong(args[1]) : 60);
            return;
        }
        if (args.length > 0 && args[0].equals("llama")) {
            llama(args.length > 1 ? Long.parseLong(args[1]) : 60);
            return;
        }
        int[] ms = Arrays.stream((args.length > 0 ? args[0] : "1,2,4,8,16,32,512").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 20;
        KernelChoice.select("vector", 1);
        System.out.printf(
                "%-6s %12s %18s %18s %18s %18s%n",
                "M", "jmlx", "ORT nbits g32 a4", "Jlama native", "Jlama java", "ORT f32");
        for (int m : ms) {
            List<Entry> entries = entries(m);
            double[] medians = measure(entries, seconds, MAX_MS);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-6d %12s", m, ms(medians[0])));
            for (int i = 1; i < entries.size(); i++) {
                line.append(String.format(
                        Locale.ROOT,
                        " %18s",
                        Double.isNaN(medians[i])
                                ? "-"
                                : ms(medians[i]) + String.format(Locale.ROOT, " (%.2f)", medians[0] / medians[i])));
            }
            System.out.println(line);
            for (Entry e : entries) {
                e.close().close();
            }
        }
        System.out.println("""
                Median time per op, in turns of ~100 ms in one JVM; (jmlx/peer) below 1: jmlx faster. jmlx: 4-bit,
                group 64, float32 x and scales. ORT nbits: ONNX Runtime MatMulNBits, block 32, accuracy level 4 (int8
                activations); Jlama: Q4 block 32 times Q8 activations; ORT f32: float32 MatMul. One thread each.""");
    }

    /** The products for {@code m} rows of x, jmlx first, in the order of the table. */
    private static List<Entry> entries(int m) throws Exception {
        String shape = "4096x4096";
        QuantizedMatmulBench jmlx = new QuantizedMatmulBench();
        jmlx.shape = shape;
        jmlx.m = m;
        jmlx.bits = 4;
        jmlx.groupSize = 64;
        jmlx.dtype = "float32";
        jmlx.transpose = true;
        jmlx.kernels = "vector";
        jmlx.device = "cpu";
        // -Djmlx.matmul.activations=int8 times the experimental int8-activation path instead.
        jmlx.activations = System.getProperty("jmlx.matmul.activations", "float32");
        jmlx.threads = 1;
        jmlx.copies = 1;
        jmlx.setUp();
        OrtMatMulNBitsBench nbits = new OrtMatMulNBitsBench();
        nbits.shape = shape;
        nbits.m = m;
        nbits.blockSize = 32;
        nbits.accuracyLevel = 4;
        nbits.setUp();
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(jmlx::quantizedMatmul, () -> {}));
        entries.add(new Entry(nbits::matmul, nbits::tearDown));
        for (String impl : List.of("native", "java")) {
            JlamaQ4Bench jlama = new JlamaQ4Bench();
            jlama.shape = shape;
            jlama.m = m;
            jlama.impl = impl;
            jlama.setUp();
            entries.add(new Entry(jlama::matmul, () -> {}));
        }
        OrtMatMulBench dense = new OrtMatMulBench();
        dense.shape = shape;
        dense.m = m;
        dense.setUp();
        entries.add(new Entry(dense::matmul, dense::tearDown));
        return entries;
    }

    /** MiniLM end to end: sentences per second of each engine, and jmlx 4-bit's ratio to each. */
    private static void miniLm(long seconds) throws Exception {
        KernelChoice.select("vector", 1);
        List<String> engines = List.of("jmlx-q4", "jmlx-f32", "ort-f32", "ort-int8");
        List<Entry> entries = new ArrayList<>();
        for (String engine : engines) {
            MiniLmBench b = new MiniLmBench();
            b.engine = engine;
            b.threads = 1;
            b.setUp();
            entries.add(new Entry(b::embed, b::tearDown));
        }
        double[] medians = measure(entries, seconds, Double.MAX_VALUE);
        int sentences = io.jmlx.samples.Sentences.all().size();
        System.out.printf("%-10s %12s %14s %18s%n", "engine", "per round", "sentences/s", "jmlx-q4 speed ×");
        for (int i = 0; i < engines.size(); i++) {
            System.out.printf(
                    Locale.ROOT,
                    "%-10s %12s %14.1f %18.2f%n",
                    engines.get(i),
                    ms(medians[i]),
                    sentences / (medians[i] / 1000),
                    medians[i] / medians[0]);
            entries.get(i).close().close();
        }
        System.out.println("""
                Median time to embed all %d sample sentences in batches of %d (sorted by length, padded), in turns in
                one JVM; one thread each. "jmlx-q4 speed ×": jmlx 4-bit's sentences/s over the engine's.""".formatted(sentences, MiniLmBench.BATCH));
    }

    /** Llama-3.2-1B-shaped 4-bit decoding against the memory bound, both measured in turns. */
    private static void llama(long seconds) throws Exception {
        LlamaDecodeBench decode = new LlamaDecodeBench();
        decode.bits = 4;
        decode.threads = 1;
        decode.setUp();
        StreamingReadBaseline read = new StreamingReadBaseline();
        read.mib = 1024;
        read.setUp();
        List<Entry> entries = List.of(new Entry(decode::step, () -> {}), new Entry(read::sum, read::tearDown));
        double[] medians = measure(entries, seconds, Double.MAX_VALUE);
        double bandwidth = (double) read.mib * (1 << 20) / (medians[1] / 1000);
        double bound = bandwidth / decode.weightBytes();
        double tokens = 1000 / medians[0];
        System.out.printf(
                Locale.ROOT,
                "decode step %s (%.2f tokens/s); weights %.1f MB per token; streaming read %.2f GB/s; memory bound"
                        + " %.2f tokens/s; jmlx at %.0f%% of it%n",
                ms(medians[0]),
                tokens,
                decode.weightBytes() / 1e6,
                bandwidth / 1e9,
                bound,
                100 * tokens / bound);
        entries.get(1).close().close();
    }

    /**
     * Median ms per op of each entry over {@code seconds} of rounds (the first two rounds warm up; NaN: skipped once
     * an op takes more than {@code maxMs}).
     */
    private static double[] measure(List<Entry> entries, long seconds, double maxMs) throws Exception {
        int n = entries.size();
        List<List<Double>> samples = new ArrayList<>();
        boolean[] skip = new boolean[n];
        for (int i = 0; i < n; i++) {
            samples.add(new ArrayList<>());
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (int round = 0; round < 3 || System.nanoTime() < end; round++) {
            for (int i = 0; i < n; i++) {
                if (skip[i]) {
                    continue;
                }
                long start = System.nanoTime();
                int ops = 0;
                do {
                    entries.get(i).op().run();
                    ops++;
                } while (System.nanoTime() - start < SLICE_NANOS);
                double perOp = (System.nanoTime() - start) / 1e6 / ops;
                skip[i] = round >= 1 && perOp > maxMs; // the first op may pay a warm-up
                if (round >= 2) {
                    samples.get(i).add(perOp);
                }
            }
        }
        double[] medians = new double[n];
        for (int i = 0; i < n; i++) {
            List<Double> s = samples.get(i);
            s.sort(null);
            medians[i] = skip[i] || s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
        }
        return medians;
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, millis >= 10 ? "%.1f ms" : "%.3f ms", millis);
    }
}
