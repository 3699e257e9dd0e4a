package io.jmlx.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The settings every jmlx benchmark shares (JMH reads them from this superclass): average time per op in
 * milliseconds, 3 warmup and 5 measured iterations of one second, one fork that gets the JVM flags jmlx needs.
 * Sized so that the core set finishes in a few minutes on a 2-vCPU machine; {@code -f}, {@code -wi}, {@code -i},
 * {@code -w} and {@code -r} override them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {JmlxBenchmark.NATIVE_ACCESS, JmlxBenchmark.VECTOR_MODULE})
@State(Scope.Benchmark)
public abstract class JmlxBenchmark {
    /** FFM: jmlx's arrays live in native memory. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** The Vector API, for the vector kernels and the baselines. */
    static final String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

    /** Default seed of the random inputs, so that every run measures the same data. */
    static final long SEED = 20_260_101L;

    /** Parses a {@code "NxK"} shape parameter into {@code {N, K}}. */
    static int[] parseShape(String shape) {
        String[] parts = shape.toLowerCase(java.util.Locale.ROOT).split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("shape must look like 4096x4096 (N x K) but is " + shape);
        }
        return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    }
}
