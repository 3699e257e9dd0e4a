package io.jmlx.bench;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.stream.Device;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * jmlx's dense {@code Jmlx.matmul(x, w)} and waiting for the result: {@code x} of shape {@code [M, K]}, the weight
 * of shape {@code [K, N]} (a linear layer's transposed weight), both of {@code dtype}, on {@code device} ({@code cpu}
 * or {@code gpu}; both operands in its memory). The unquantized product the quantized ones are compared with; rates
 * count the weight's bytes and 2·M·N·K flops.
 */
public class DenseMatmulBench extends JmlxBenchmark {
    /** Weight shape {@code NxK} (output features × input features). */
    @Param({"4096x4096"})
    public String shape;

    /** Rows of x (tokens). */
    @Param({"1"})
    public int m;

    /** Type of x, the weight and the output: float32, float16 or bfloat16. */
    @Param({"float32"})
    public String dtype;

    /** Where the product runs: {@code cpu} or {@code gpu}. */
    @Param({"cpu"})
    public String device;

    private Device on;
    private Array x;
    private Array w;

    /** Makes random operands in the device's memory. */
    @Setup(Level.Trial)
    public void setUp() {
        on = Device.parse(device);
        int[] nk = parseShape(shape);
        DType type = DType.parse(dtype);
        w = Inputs.on(on, Inputs.gaussian(SEED, nk[1], nk[0], 0.02).astype(type));
        x = Inputs.on(on, Inputs.gaussian(SEED + 1, m, nk[1], 1.0).astype(type));
        matmul();
    }

    /** One product, evaluated. */
    @Benchmark
    public MemorySegment matmul() {
        return Jmlx.matmul(x, w, on).data();
    }

    static Workload workload(BenchmarkParams p) {
        int[] nk = parseShape(p.getParam("shape"));
        int m = Integer.parseInt(p.getParam("m"));
        DType type = DType.parse(p.getParam("dtype"));
        return new Workload(
                p.getParam("shape") + " M=" + m + " " + type.name().toLowerCase(java.util.Locale.ROOT),
                (double) nk[0] * nk[1] * type.byteSize(),
                2.0 * m * nk[0] * nk[1]);
    }
}
