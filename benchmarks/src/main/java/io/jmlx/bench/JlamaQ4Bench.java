package io.jmlx.bench;

import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.FloatBufferTensor;
import com.github.tjake.jlama.tensor.Q4ByteBufferTensor;
import com.github.tjake.jlama.tensor.operations.NativeSimdTensorOperations;
import com.github.tjake.jlama.tensor.operations.PanamaTensorOperations;
import com.github.tjake.jlama.tensor.operations.TensorOperations;
import com.github.tjake.jlama.util.MachineSpec;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The JVM peer: Jlama's 4-bit product as its models run it, on the calling thread. W is Jlama's Q4 (blocks of
 * 32, one float32 scale each, symmetric); each op quantizes x to Jlama's Q8 (blocks of 32) and multiplies with
 * {@code impl = native} (its C kernels through FFM, {@code jlama-native}) or {@code java} (its Vector API kernels).
 * Rates count W's bytes (codes and scales).
 */
public class JlamaQ4Bench extends JmlxBenchmark {
    /** Weight shape {@code NxK}. */
    @Param({"4096x4096"})
    public String shape;

    /** Rows of x. */
    @Param({"1", "2", "4", "8", "32", "512"})
    public int m;

    /** Jlama's kernels: native (C through FFM) or java (Vector API). */
    @Param({"native", "java"})
    public String impl;

    private TensorOperations ops;
    private Q4ByteBufferTensor w;
    private FloatBufferTensor x;
    private FloatBufferTensor out;
    private int n;
    private int k;

    /** Picks the kernels, quantizes a random W and makes a random x. */
    @Setup(Level.Trial)
    public void setUp() {
        int[] nk = parseShape(shape);
        n = nk[0];
        k = nk[1];
        ops = switch (impl) {
            case "native" -> new NativeSimdTensorOperations();
            case "java" -> new PanamaTensorOperations(MachineSpec.VECTOR_TYPE);
            default -> throw new IllegalArgumentException("impl must be native or java but is " + impl);
        };
        FloatBufferTensor dense = new FloatBufferTensor(n, k);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                dense.set((float) (random.nextGaussian() * 0.02), r, c);
            }
        }
        w = new Q4ByteBufferTensor(dense);
        x = new FloatBufferTensor(m, k);
        SplittableRandom xs = new SplittableRandom(SEED + 1);
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < k; c++) {
                x.set((float) xs.nextGaussian(), r, c);
            }
        }
        out = new FloatBufferTensor(m, n);
        matmul();
    }

    /** One product: x quantized to Q8, then {@code out = x_q8 · W_q4ᵀ}. */
    @Benchmark
    public FloatBufferTensor matmul() {
        try (AbstractTensor xq = ops.quantize(x, DType.I8, 0, k)) {
            ops.dotProductChunk(out, xq, w, 0, k, 0, n);
        }
        return out;
    }

    static Workload workload(BenchmarkParams p) {
        int[] nk = parseShape(p.getParam("shape"));
        int m = Integer.parseInt(p.getParam("m"));
        return new Workload(
                p.getParam("shape") + " M=" + m + " q4 g32 " + p.getParam("impl"),
                nk[0] * (double) nk[1] / 2 + nk[0] * (double) (nk[1] / 32) * Float.BYTES,
                2.0 * m * nk[0] * nk[1]);
    }
}
