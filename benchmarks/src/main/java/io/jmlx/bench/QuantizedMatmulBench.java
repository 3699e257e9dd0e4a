package io.jmlx.bench;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.stream.Device;
import java.lang.foreign.MemorySegment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * {@code Jmlx.quantizedMatmul(x, w_q, scales, biases, transpose, groupSize, bits)} and waiting for the result:
 * affine, {@code x} of shape {@code [M, K]} against a weight of shape {@code [N, K]} ({@code transpose = true}, the
 * default) or {@code [K, N]} ({@code -p transpose=false}); x, the weight's scales and biases, and the output are all
 * of {@code dtype} ({@code -p dtype=float16} or {@code bfloat16}; float32 by default). The weight is quantized once
 * per trial. Rates count the weight's bytes (packed codes, scales and biases) and 2·M·N·K flops.
 *
 * <p>The annotated defaults are the core set's main line (4096x4096, M 1, 2, 8, 512, 4 bits, group size 64);
 * {@code ./bench} adds the other bit widths and group sizes at M = 1. The full grid is
 * {@code -p shape=4096x4096,14336x4096 -p m=1,2,4,8,32,512 -p bits=2,3,4,8 -p groupSize=32,64,128}, and
 * {@code -p dtype=float32,float16,bfloat16 -p transpose=true,false} compare activation/scale types and layouts
 * (GB/s per weight byte is the fair comparison across dtypes: half-precision scales make the weight smaller).
 * {@code -p device=gpu} (or {@code cpu,gpu}) runs the product on the GPU, weight and x in its memory.
 */
public class QuantizedMatmulBench extends JmlxBenchmark {
    /** Weight shape {@code NxK} (output features × input features). */
    @Param({"4096x4096"})
    public String shape;

    /** Rows of x (tokens); 1 is a matrix-vector product. */
    @Param({"1", "2", "8", "512"})
    public int m;

    /** Bits per weight. */
    @Param({"4"})
    public int bits;

    /** Weights per scale and bias. */
    @Param({"64"})
    public int groupSize;

    /** Type of x, scales, biases and output: float32, float16 or bfloat16. */
    @Param({"float32"})
    public String dtype;

    /** True: W stored {@code [N, K]} and the product is {@code x·Ŵᵀ}; false: W stored {@code [K, N]}, {@code x·Ŵ}. */
    @Param({"true"})
    public boolean transpose;

    /** Where the product runs: {@code cpu} or {@code gpu} (the Vulkan backend; inputs and weight in its memory). */
    @Param({"cpu"})
    public String device;

    /** Kernel set ({@code jmlx.kernels}): vector or scalar. */
    @Param({"vector"})
    public String kernels;

    /**
     * Activation precision of the vector kernels ({@code jmlx.matmul.activations}): float32 (the default) or int8
     * (experimental: the affine 4-bit products of fewer than 16 rows of x round x to int8 per block of 64).
     */
    @Param({"float32"})
    public String activations;

    /** Kernel threads ({@code jmlx.threads}). */
    @Param({"1"})
    public int threads;

    /**
     * Copies of the quantized weight the ops take in turn. 1 measures a weight that may stay in the last-level
     * cache between ops; enough copies to exceed that cache measure weights streamed from memory, as in a model
     * too large for the cache.
     */
    @Param({"1"})
    public int copies;

    private Device on;
    private Array x;
    private Array[] packed;
    private Array[] scales;
    private Array[] biases;
    private int next;

    /** Selects the kernels, quantizes a random weight and makes a random x. */
    @Setup(Level.Trial)
    public void setUp() {
        // Read once per process, at the first product: each value needs its own fork, as the kernels do.
        System.setProperty("jmlx.matmul.activations", activations);
        KernelChoice.select(kernels, threads);
        on = Device.parse(device);
        int[] nk = parseShape(shape);
        DType type = DType.parse(dtype);
        Array w = Inputs.gaussian(SEED, transpose ? nk[0] : nk[1], transpose ? nk[1] : nk[0], 0.02)
                .astype(type);
        QuantizedParts q = Jmlx.quantize(w, groupSize, bits, "affine", on);
        Jmlx.eval(q.packed(), q.scales(), q.biases());
        if (copies < 1) {
            throw new IllegalArgumentException("copies must be at least 1 but is " + copies);
        }
        packed = new Array[copies];
        scales = new Array[copies];
        biases = new Array[copies];
        for (int i = 0; i < copies; i++) {
            packed[i] = i == 0 ? q.packed() : copy(q.packed());
            scales[i] = i == 0 ? q.scales() : copy(q.scales());
            biases[i] = i == 0 ? q.biases() : copy(q.biases());
        }
        x = Inputs.on(on, Inputs.gaussian(SEED + 1, m, nk[1], 1.0).astype(type));
        quantizedMatmul();
    }

    private Array copy(Array a) {
        return Inputs.on(on, a);
    }

    /** One product, evaluated (on the next copy of the weight). */
    @Benchmark
    public MemorySegment quantizedMatmul() {
        int i = next;
        next = i + 1 == copies ? 0 : i + 1;
        return Jmlx.quantizedMatmul(x, packed[i], scales[i], biases[i], transpose, groupSize, bits, "affine", on)
                .data();
    }

    /** Bytes of a quantized {@code n × k} weight with scales of {@code scaleBytes}: packed codes, scales and biases. */
    static double weightBytes(long n, long k, int bits, int groupSize, int scaleBytes) {
        return n * k * bits / 8.0 + 2.0 * n * (k / groupSize) * scaleBytes;
    }

    static Workload workload(BenchmarkParams p) {
        int[] nk = parseShape(p.getParam("shape"));
        int m = Integer.parseInt(p.getParam("m"));
        int bits = Integer.parseInt(p.getParam("bits"));
        int g = Integer.parseInt(p.getParam("groupSize"));
        String copies = p.getParam("copies");
        String dtype = p.getParam("dtype");
        String transpose = p.getParam("transpose");
        DType type = dtype == null ? DType.FLOAT32 : DType.parse(dtype);
        return new Workload(
                p.getParam("shape") + " M=" + m + " b" + bits + " g" + g
                        + (type == DType.FLOAT32 ? "" : " " + type.name().toLowerCase(java.util.Locale.ROOT))
                        + ("false".equals(transpose) ? " x·W" : "")
                        + (copies == null || copies.equals("1") ? "" : " x" + copies),
                weightBytes(nk[0], nk[1], bits, g, type.byteSize()),
                2.0 * m * nk[0] * nk[1]);
    }
}
