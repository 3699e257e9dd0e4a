package io.jmlx.bench;

import io.jmlx.Array;
import io.jmlx.models.llama.KvCache;
import io.jmlx.models.llama.Llama;
import io.jmlx.models.llama.LlamaConfig;
import io.jmlx.nn.Module;
import io.jmlx.nn.Quantization;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A Llama decoder with Llama-3.2-1B's shapes (hidden 2048, 16 layers, 32 query and 8 key/value heads of 64, MLP
 * 8192, vocabulary 128256, tied embeddings) and random weights, quantized to {@code bits} with group 64 (float32
 * scales): one op is one greedy decoding step, the previous token in, the next token out, with a short context (the
 * cache restarts every {@link #CONTEXT} tokens). No such checkpoint can be downloaded here; the random model
 * reads the same bytes per token. {@link #weightBytes} is what a step must read at least: with the streaming-read
 * bandwidth of the same run it gives the memory bound ({@code --interleaved llama} prints both).
 */
public class LlamaDecodeBench extends JmlxBenchmark {
    /** Tokens after which the cache starts over. */
    static final int CONTEXT = 64;

    /** Llama-3.2-1B's sizes. */
    static final LlamaConfig LLAMA_3_2_1B =
            new LlamaConfig(2048, 8192, 32, 8, 64, 16, 128256, 1e-5f, 500000f, false, true, false, false);

    /** Bits of the quantized weights. */
    @Param({"4"})
    public int bits;

    /** Kernel threads ({@code jmlx.threads}). */
    @Param({"1"})
    public int threads;

    private Llama llama;
    private KvCache cache;
    private int token;
    private long weightBytes;

    /** Builds the random model (float32, about 5 GB while it is quantized) and quantizes it. */
    @Setup(Level.Trial)
    public void setUp() {
        KernelChoice.select("vector", threads);
        llama = new Llama(LLAMA_3_2_1B);
        Quantization.quantize(llama, 64, bits);
        weightBytes = bytes(llama);
        cache = llama.newCache();
        token = 1;
        step();
    }

    /** One decoding step. */
    @Benchmark
    public int step() {
        if (cache.offset(0) >= CONTEXT) {
            cache = llama.newCache();
        }
        token = llama.nextToken(new int[] {token}, cache).toIntArray()[0];
        return token;
    }

    /** Bytes of every parameter of the model: what one step reads (the tied head reads all of the embedding). */
    long weightBytes() {
        return weightBytes;
    }

    private static long bytes(Module model) {
        long total = 0;
        for (Map.Entry<String, Array> p : model.parameters().entrySet()) {
            total += p.getValue().nbytes();
        }
        return total;
    }

    static Workload workload(BenchmarkParams p) {
        return new Workload("Llama-3.2-1B shapes b" + p.getParam("bits") + " decode", Double.NaN, Double.NaN);
    }
}
