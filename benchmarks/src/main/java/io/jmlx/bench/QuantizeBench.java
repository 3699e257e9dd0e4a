package io.jmlx.bench;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizedParts;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * {@code Jmlx.quantize(w, groupSize, bits)} (affine) of a float32 matrix, waiting for codes, scales and biases.
 * The rate in GB/s counts the input's bytes.
 */
public class QuantizeBench extends JmlxBenchmark {
    /** Matrix shape {@code NxK}. */
    @Param({"4096x4096"})
    public String shape;

    /** Bits per weight. */
    @Param({"4"})
    public int bits;

    /** Weights per scale and bias. */
    @Param({"64"})
    public int groupSize;

    /** Kernel set ({@code jmlx.kernels}): vector or scalar. */
    @Param({"vector"})
    public String kernels;

    /** Kernel threads ({@code jmlx.threads}). */
    @Param({"1"})
    public int threads;

    private Array w;

    /** Selects the kernels and makes a random matrix. */
    @Setup(Level.Trial)
    public void setUp() {
        KernelChoice.select(kernels, threads);
        int[] nk = parseShape(shape);
        w = Inputs.gaussian(SEED, nk[0], nk[1], 0.02);
    }

    /** One quantization, evaluated. */
    @Benchmark
    public QuantizedParts quantize() {
        QuantizedParts q = Jmlx.quantize(w, groupSize, bits);
        Jmlx.eval(q.packed(), q.scales(), q.biases());
        return q;
    }

    static Workload workload(BenchmarkParams p) {
        int[] nk = parseShape(p.getParam("shape"));
        return new Workload(
                p.getParam("shape") + " b" + p.getParam("bits") + " g" + p.getParam("groupSize"),
                (double) nk[0] * nk[1] * Float.BYTES,
                Double.NaN);
    }
}
