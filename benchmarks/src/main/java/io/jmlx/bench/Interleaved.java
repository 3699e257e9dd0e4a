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
            double[] medians = measure(entries, seconds);
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

    /** Median ms per op of each entry over {@code seconds} of rounds (the first two rounds warm up; NaN: skipped). */
    private static double[] measure(List<Entry> entries, long seconds) throws Exception {
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
                skip[i] = perOp > MAX_MS;
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
