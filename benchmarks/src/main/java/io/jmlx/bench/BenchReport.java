package io.jmlx.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The main class of {@code ./bench}: takes JMH's command line, runs the benchmarks and ends with one table giving
 * every case's time per op, GB/s, GFLOP/s, their share of the measured bandwidth and FMA limits (the
 * {@link StreamingReadBaseline} and {@link FmaBaseline} of the same run) and the speed-up over the scalar kernels.
 *
 * <p>Without {@code -p} for {@code shape}, {@code m}, {@code bits} or {@code groupSize} it runs the core set: the
 * annotated defaults, then {@link QuantizedMatmulBench} at M = 1 for 2, 3 and 8 bits and for group sizes 32 and
 * 128. Unless {@code -p kernels=...} or {@code --no-scalar} is given, it then repeats the M = 1 products and
 * {@link QuantizeBench} on the scalar kernels. {@code -h}, {@code -l}, {@code -lp} and the other listing options
 * go straight to JMH.
 */
public final class BenchReport {
    private static final String NO_SCALAR = "--no-scalar";
    private static final List<String> GRID_PARAMS = List.of("shape", "m", "bits", "groupSize");
    /** Order of the parameters when sorting rows of the table. */
    private static final List<String> SORT_PARAMS = List.of("shape", "mib", "m", "bits", "groupSize", "threads");

    /** A benchmark this report knows the workload of. */
    private record Known(Class<?> type, String method, Function<BenchmarkParams, Workload> workload) {
        String name() {
            return type.getName() + "." + method;
        }

        boolean selectedBy(Options options) {
            List<String> includes = options.getIncludes();
            boolean in = includes.isEmpty()
                    || includes.stream()
                            .anyMatch(r -> Pattern.compile(r).matcher(name()).find());
            return in
                    && options.getExcludes().stream()
                            .noneMatch(r -> Pattern.compile(r).matcher(name()).find());
        }
    }

    private static final Known STREAM = new Known(StreamingReadBaseline.class, "sum", StreamingReadBaseline::workload);
    private static final Known FMA = new Known(FmaBaseline.class, "fma", FmaBaseline::workload);
    private static final Known DENSE = new Known(DenseMatvecBaseline.class, "matvec", DenseMatvecBaseline::workload);
    private static final Known QUANTIZE = new Known(QuantizeBench.class, "quantize", QuantizeBench::workload);
    private static final Known QMM =
            new Known(QuantizedMatmulBench.class, "quantizedMatmul", QuantizedMatmulBench::workload);
    private static final Known DENSE_MATMUL = new Known(DenseMatmulBench.class, "matmul", DenseMatmulBench::workload);
    private static final Known GENERATION = new Known(GenerationBench.class, "step", GenerationBench::workload);
    private static final Known ORT_NBITS =
            new Known(OrtMatMulNBitsBench.class, "matmul", OrtMatMulNBitsBench::workload);
    private static final Known ORT_F32 = new Known(OrtMatMulBench.class, "matmul", OrtMatMulBench::workload);
    private static final Known JLAMA = new Known(JlamaQ4Bench.class, "matmul", JlamaQ4Bench::workload);
    /** The peers' products, compared with jmlx's 4-bit product of the same shape and M. */
    private static final List<Known> PEERS = List.of(ORT_NBITS, JLAMA, ORT_F32);
    /** Every benchmark, in the order of the table. */
    private static final List<Known> KNOWN =
            List.of(STREAM, FMA, DENSE, QUANTIZE, QMM, DENSE_MATMUL, GENERATION, ORT_NBITS, JLAMA, ORT_F32);
    /** {@code --peers}: jmlx's 4-bit product and the peers', at these M, with the baselines. */
    private static final String PEERS_FLAG = "--peers";

    private static final String PEER_M = "1,2,4,8,16,32,512";
    /** {@code --interleaved [M,...] [seconds]}: the same products in turns in one JVM ({@link Interleaved}). */
    private static final String INTERLEAVED_FLAG = "--interleaved";

    /** One JMH run of the plan. */
    private record Plan(String label, Options options) {}

    /** One line of the table. */
    private record Row(Known known, BenchmarkParams params, Workload work, double seconds, double error) {
        String kernels() {
            String k = params.getParam("kernels");
            return k == null ? "-" : k;
        }

        String threads() {
            String t = params.getParam("threads");
            return t == null ? "1" : t;
        }

        String device() {
            String d = params.getParam("device");
            return d == null ? "cpu" : d;
        }

        double gbPerSecond() {
            return work.bytes() / seconds / 1e9;
        }

        double gflopPerSecond() {
            return work.flops() / seconds / 1e9;
        }

        /** Benchmark, mode and every parameter but the kernel set: rows with the same key differ only in kernels. */
        String kernelFreeKey() {
            return keyWithout("kernels");
        }

        /** Benchmark, mode and every parameter but the device: rows with the same key differ only in device. */
        String deviceFreeKey() {
            return keyWithout("device");
        }

        private String keyWithout(String param) {
            StringBuilder key =
                    new StringBuilder(params.getBenchmark()).append('|').append(params.getMode());
            for (String p : params.getParamsKeys()) {
                if (!p.equals(param)) {
                    key.append('|').append(p).append('=').append(params.getParam(p));
                }
            }
            return key.toString();
        }
    }

    private BenchReport() {}

    private static final String USAGE = """
            Usage: ./bench [--no-scalar] [--peers] [JMH OPTIONS] [BENCHMARK REGEX...]
                   ./bench --interleaved [M,...] [seconds]
              The core set by default; -p shape=,m=,bits=,groupSize= name a grid instead; --no-scalar skips
              the repeat on the scalar kernels; --peers runs jmlx's 4-bit product beside ONNX Runtime's
              MatMulNBits and float32 MatMul and Jlama's Q4 (M = 1,2,4,8,16,32,512 unless -p m= is given) and
              prints the ratios jmlx/peer. --interleaved runs the same products in turns of ~100 ms in one JVM
              (robust on a shared machine): medians, ratios.
            """;

    /** Runs the benchmarks JMH's command line {@code args} selects (plus {@code --no-scalar}) and prints the table. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(INTERLEAVED_FLAG)) {
            Interleaved.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<String> jmhArgs = new ArrayList<>(List.of(args));
        boolean scalar = !jmhArgs.removeIf(NO_SCALAR::equals);
        boolean peers = jmhArgs.removeIf(PEERS_FLAG::equals);
        String[] jmh = jmhArgs.toArray(String[]::new);
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(jmh);
        } catch (CommandLineOptionException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(USAGE + "  ./bench --help tells more; ./bench --jmh-help lists JMH's options.");
            System.exit(2);
            return;
        }
        if (cli.shouldHelp()) {
            System.out.println(USAGE + "  JMH's options follow.\n");
        }
        if (cli.shouldHelp()
                || cli.shouldList()
                || cli.shouldListWithParams()
                || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(jmh);
            return;
        }
        List<Plan> plans = peers ? List.of(peerPlan(cli)) : plan(cli, scalar);
        List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            Plan plan = plans.get(i);
            System.out.printf("%n# bench: run %d of %d: %s%n", i + 1, plans.size(), plan.label());
            Options options = plan.options();
            if (i > 0 && cli.getResultFormat().hasValue()) {
                options = new OptionsBuilder()
                        .parent(options)
                        .result(resultFile(cli, i))
                        .build();
            }
            results.addAll(new Runner(options).run());
        }
        System.out.println();
        System.out.print(table(results));
        System.out.print(deviceTable(results));
        System.out.print(peerTable(results));
    }

    /** {@code --peers}: the command line restricted to jmlx's product, the peers and the baselines. */
    private static Plan peerPlan(CommandLineOptions cli) {
        List<Known> targets = new ArrayList<>(PEERS);
        targets.addAll(List.of(QMM, STREAM, FMA));
        Map<String, String[]> params = new LinkedHashMap<>();
        if (!cli.getParameter("m").hasValue()) {
            params.put("m", PEER_M.split(","));
        }
        return new Plan("jmlx and its peers " + describe(params), only(cli, targets, params));
    }

    /** The runs: the command line as given, then the rest of the core set and the scalar repeats. */
    private static List<Plan> plan(CommandLineOptions cli, boolean scalar) {
        List<Plan> plans = new ArrayList<>();
        plans.add(new Plan("as given", cli));
        boolean qmm = QMM.selectedBy(cli);
        boolean userGrid =
                GRID_PARAMS.stream().anyMatch(p -> cli.getParameter(p).hasValue());
        List<Map<String, String[]>> extraGrids = new ArrayList<>();
        if (qmm && !userGrid) {
            extraGrids.add(grid("m", "1", "bits", "2,3,8"));
            extraGrids.add(grid("m", "1", "groupSize", "32,128"));
        }
        for (Map<String, String[]> g : extraGrids) {
            plans.add(new Plan("core set, QuantizedMatmulBench " + describe(g), only(cli, List.of(QMM), g)));
        }
        if (scalar && !cli.getParameter("kernels").hasValue() && (qmm || QUANTIZE.selectedBy(cli))) {
            List<Known> targets = new ArrayList<>();
            if (qmm) {
                targets.add(QMM);
            }
            if (QUANTIZE.selectedBy(cli)) {
                targets.add(QUANTIZE);
            }
            plans.add(new Plan(
                    "scalar kernels, "
                            + targets.stream()
                                    .map(k -> k.type().getSimpleName())
                                    .toList() + (qmm ? " m=1" : ""),
                    only(cli, targets, grid("kernels", "scalar", "m", "1"))));
            for (Map<String, String[]> extra : extraGrids) {
                Map<String, String[]> s = new LinkedHashMap<>(extra);
                s.put("kernels", new String[] {"scalar"});
                plans.add(new Plan(
                        "scalar kernels, QuantizedMatmulBench " + describe(extra), only(cli, List.of(QMM), s)));
            }
        }
        return plans;
    }

    /** {@code key, "v1,v2", key, "v", ...} as parameter values. */
    private static Map<String, String[]> grid(String... keysAndValues) {
        Map<String, String[]> g = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            g.put(keysAndValues[i], keysAndValues[i + 1].split(","));
        }
        return g;
    }

    private static String describe(Map<String, String[]> g) {
        StringBuilder s = new StringBuilder();
        g.forEach(
                (k, v) -> s.append(s.isEmpty() ? "" : " ").append(k).append('=').append(String.join(",", v)));
        return s.toString();
    }

    /** The command line's options restricted to {@code targets} (the others excluded) with {@code params} set. */
    private static Options only(Options cli, List<Known> targets, Map<String, String[]> params) {
        OptionsBuilder b = new OptionsBuilder();
        b.parent(cli);
        for (Known k : KNOWN) {
            if (!targets.contains(k)) {
                b.exclude("^" + Pattern.quote(k.name()) + "$");
            }
        }
        params.forEach(b::param);
        return b.build();
    }

    /** JMH's result file with the run's number before the extension, so that runs do not overwrite each other. */
    private static String resultFile(CommandLineOptions cli, int run) {
        String name = cli.getResult()
                .orElse("jmh-result." + cli.getResultFormat().get().name().toLowerCase(Locale.ROOT));
        int dot = name.lastIndexOf('.');
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        String suffix = "-run" + (run + 1);
        return dot > slash ? name.substring(0, dot) + suffix + name.substring(dot) : name + suffix;
    }

    // ---------------------------------------------------------------- the table

    /** The results as rows, in the order of the table. */
    private static List<Row> rows(List<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            Known known = KNOWN.stream()
                    .filter(k -> k.name().equals(p.getBenchmark()))
                    .findFirst()
                    .orElse(null);
            Workload work = known == null
                    ? new Workload(p.getBenchmark(), Double.NaN, Double.NaN)
                    : known.workload().apply(p);
            Result<?> primary = r.getPrimaryResult();
            double[] seconds = secondsPerOp(primary);
            rows.add(new Row(known, p, work, seconds[0], seconds[1]));
        }
        rows.sort(Comparator.comparingInt((Row r) -> r.known() == null ? KNOWN.size() : KNOWN.indexOf(r.known()))
                .thenComparing(BenchReport::compareParams)
                .thenComparingInt(
                        r -> r.kernels().equals("vector") ? 0 : r.kernels().equals("scalar") ? 1 : 2));
        return rows;
    }

    static String table(List<RunResult> results) {
        List<Row> rows = rows(results);
        double bandwidth = rows.stream()
                .filter(r -> r.known() == STREAM)
                .mapToDouble(Row::gbPerSecond)
                .filter(Double::isFinite)
                .max()
                .orElse(Double.NaN);
        double peak = rows.stream()
                .filter(r -> r.known() == FMA)
                .mapToDouble(Row::gflopPerSecond)
                .filter(Double::isFinite)
                .max()
                .orElse(Double.NaN);
        Map<String, Row> scalarRows = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.kernels().equals("scalar")) {
                scalarRows.put(r.kernelFreeKey(), r);
            }
        }

        StringBuilder out = new StringBuilder();
        String format = "%-22s %-30s %-6s %-7s %3s %19s %8s %8s %8s %8s %8s%n";
        out.append(String.format(
                format,
                "benchmark",
                "case",
                "device",
                "kernels",
                "thr",
                "time/op",
                "GB/s",
                "GFLOP/s",
                "%readBW",
                "%FMApk",
                "vsScalar"));
        for (Row r : rows) {
            Row scalarRow = r.kernels().equals("scalar") ? null : scalarRows.get(r.kernelFreeKey());
            String name = r.known() == null
                    ? r.params().getBenchmark()
                    : r.known().type().getSimpleName();
            if (r.params().getMode() != Mode.AverageTime) {
                name += " (" + r.params().getMode().shortLabel() + ")";
            }
            out.append(String.format(
                    format,
                    name,
                    r.work().label(),
                    r.device(),
                    r.kernels(),
                    r.threads(),
                    time(r.seconds(), r.error()),
                    number(r.gbPerSecond()),
                    number(r.gflopPerSecond()),
                    percent(r.gbPerSecond() / bandwidth),
                    percent(r.gflopPerSecond() / peak),
                    scalarRow == null ? "-" : String.format(Locale.ROOT, "%.2fx", scalarRow.seconds() / r.seconds())));
        }
        out.append("""
                GB/s: weight bytes (packed + scales + biases) per second for QuantizedMatmulBench, input bytes for
                QuantizeBench, matrix bytes for DenseMatvecBaseline and DenseMatmulBench, the model's weight bytes per
                token for GenerationBench. GFLOP/s: 2*M*N*K per op (2 per weight per token). %readBW and %FMApk:
                against this run's StreamingReadBaseline and FmaBaseline (one thread each). vsScalar: the same case on
                the scalar kernels divided by this one. time/op: mean with JMH's 99.9% confidence half-width.
                A weight that fits the last-level cache stays there between ops (%readBW may pass 100%); a case
                labelled xN takes N copies of the weight in turn (-p copies=N) to stream it from memory.
                """);
        results.stream()
                .findFirst()
                .ifPresent(r -> out.append(String.format(
                        "JDK %s, %s %s; %d CPUs visible to the host.%n",
                        r.getParams().getJdkVersion(),
                        r.getParams().getVmName(),
                        r.getParams().getVmVersion(),
                        Runtime.getRuntime().availableProcessors())));
        return out.toString();
    }

    /**
     * Every case run on more than one device ({@code -p device=cpu,gpu}), the devices side by side: the time per op
     * on each, and each GPU time divided by the CPU's. Empty when no case ran on two devices.
     */
    static String deviceTable(List<RunResult> results) {
        Map<String, Map<String, Row>> byCase = new LinkedHashMap<>();
        for (Row r : rows(results)) {
            if (r.params().getParam("device") != null) {
                byCase.computeIfAbsent(r.deviceFreeKey(), k -> new LinkedHashMap<>())
                        .put(r.device(), r);
            }
        }
        byCase.values().removeIf(devices -> devices.size() < 2);
        if (byCase.isEmpty()) {
            return "";
        }
        List<String> devices = byCase.values().stream()
                .flatMap(d -> d.keySet().stream())
                .distinct()
                .sorted(Comparator.comparing((String d) -> !d.equals("cpu")).thenComparing(d -> d))
                .toList();
        StringBuilder out =
                new StringBuilder(String.format("%nDevices side by side (time per op; ratio to the CPU)%n"));
        out.append(String.format("%-22s %-30s", "benchmark", "case"));
        devices.forEach(d -> out.append(String.format(" %26s", d)));
        out.append(String.format("%n"));
        for (Map<String, Row> rowByDevice : byCase.values()) {
            Row any = rowByDevice.values().iterator().next();
            Row cpu = rowByDevice.get("cpu");
            out.append(String.format(
                    "%-22s %-30s",
                    any.known() == null
                            ? any.params().getBenchmark()
                            : any.known().type().getSimpleName(),
                    any.work().label()));
            for (String d : devices) {
                Row r = rowByDevice.get(d);
                String cell = r == null
                        ? "-"
                        : time(r.seconds(), r.error())
                                + (cpu == null || d.equals("cpu")
                                        ? ""
                                        : String.format(Locale.ROOT, " (%.2fx)", r.seconds() / cpu.seconds()));
                out.append(String.format(" %26s", cell));
            }
            out.append(String.format("%n"));
        }
        out.append("""
                gpu: the Vulkan device jmlx picks (-Djmlx.gpu.device chooses; pass it with -jvmArgsAppend). On a CPU
                driver such as Mesa's lavapipe the GPU column measures a CPU emulating a GPU, not GPU speed.
                """);
        return out.toString();
    }

    /**
     * jmlx's 4-bit products (vector kernels, float32) against every peer case of the same shape and M: the peer's
     * time and the ratio jmlx time / peer time (below 1: jmlx is faster). Empty when the run had no peer.
     */
    static String peerTable(List<RunResult> results) {
        List<Row> rows = rows(results);
        List<Row> jmlx = rows.stream()
                .filter(r -> r.known() == QMM
                        && "4".equals(r.params().getParam("bits"))
                        && r.kernels().equals("vector")
                        && r.threads().equals("1")
                        && "float32".equals(r.params().getParam("dtype"))
                        && "true".equals(r.params().getParam("transpose"))
                        && "1".equals(r.params().getParam("copies")))
                .toList();
        List<Row> peers = rows.stream().filter(r -> PEERS.contains(r.known())).toList();
        if (jmlx.isEmpty() || peers.isEmpty()) {
            return "";
        }
        List<String> columns =
                peers.stream().map(BenchReport::peerColumn).distinct().toList();
        StringBuilder out =
                new StringBuilder(String.format("%njmlx / peer (time ratio, one thread; below 1: jmlx faster)%n"));
        out.append(String.format("%-32s %12s", "jmlx case", "jmlx"));
        columns.forEach(c -> out.append(String.format(" %24s", c)));
        out.append(String.format("%n"));
        for (Row j : jmlx) {
            out.append(String.format("%-32s %12s", j.work().label(), time(j.seconds(), Double.NaN)));
            for (String c : columns) {
                Row peer = peers.stream()
                        .filter(p -> peerColumn(p).equals(c)
                                && p.params()
                                        .getParam("shape")
                                        .equals(j.params().getParam("shape"))
                                && p.params().getParam("m").equals(j.params().getParam("m")))
                        .findFirst()
                        .orElse(null);
                out.append(String.format(
                        " %24s",
                        peer == null
                                ? "-"
                                : time(peer.seconds(), Double.NaN) + " ("
                                        + String.format(Locale.ROOT, "%.2f", j.seconds() / peer.seconds()) + ")"));
            }
            out.append(String.format("%n"));
        }
        out.append("""
                Each cell: the peer's time per op (jmlx/peer). ORT nbits: ONNX Runtime MatMulNBits (4-bit, block gN,
                accuracy level a; 4 = int8 activations); ORT f32: ONNX Runtime float32 MatMul; Jlama: Q4 (block 32)
                times Q8 activations, native C kernels or its Vector API kernels.
                """);
        return out.toString();
    }

    /** A peer's column name: which peer, and the parameters that are not shape or M. */
    private static String peerColumn(Row r) {
        BenchmarkParams p = r.params();
        if (r.known() == ORT_NBITS) {
            return "ORT nbits g" + p.getParam("blockSize") + " a" + p.getParam("accuracyLevel");
        }
        if (r.known() == JLAMA) {
            return "Jlama " + p.getParam("impl");
        }
        return "ORT f32";
    }

    private static int compareParams(Row a, Row b) {
        for (String key : SORT_PARAMS) {
            String x = a.params().getParam(key);
            String y = b.params().getParam(key);
            if (x == null || y == null || x.equals(y)) {
                continue;
            }
            try {
                return Long.compare(Long.parseLong(x), Long.parseLong(y));
            } catch (NumberFormatException e) {
                return x.compareTo(y);
            }
        }
        return 0;
    }

    /** {seconds per op, error in seconds} from a time-per-op or ops-per-time score; NaN for other units. */
    private static double[] secondsPerOp(Result<?> result) {
        String unit = result.getScoreUnit();
        double score = result.getScore();
        double error = result.getScoreError();
        if (unit.endsWith("/op")) {
            double u = unitSeconds(unit.substring(0, unit.length() - 3));
            return new double[] {score * u, error * u};
        }
        if (unit.startsWith("ops/")) {
            double seconds = unitSeconds(unit.substring(4)) / score;
            return new double[] {seconds, seconds * error / score};
        }
        return new double[] {Double.NaN, Double.NaN};
    }

    private static double unitSeconds(String unit) {
        return switch (unit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            case "hr" -> 3600;
            case "day" -> 86400;
            default -> Double.NaN;
        };
    }

    private static String time(double seconds, double error) {
        if (!Double.isFinite(seconds)) {
            return "-";
        }
        double scale = seconds >= 1 ? 1 : seconds >= 1e-3 ? 1e3 : 1e6;
        String unit = seconds >= 1 ? "s" : seconds >= 1e-3 ? "ms" : "us";
        String err = Double.isFinite(error) ? " ± " + number(error * scale) : "";
        return number(seconds * scale) + err + " " + unit;
    }

    private static String number(double v) {
        if (!Double.isFinite(v)) {
            return "-";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f%%", 100 * fraction) : "-";
    }
}
