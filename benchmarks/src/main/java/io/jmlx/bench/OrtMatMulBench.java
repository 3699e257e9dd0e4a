package io.jmlx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The dense reference: ONNX Runtime's float32 {@code MatMul} (MLAS sgemm) of {@code A[M, K]} by a float32
 * {@code W[K, N]} initializer, a one-node model built here, on one thread. Rates count W's bytes.
 */
public class OrtMatMulBench extends JmlxBenchmark {
    /** Weight shape {@code NxK} (output features × input features). */
    @Param({"4096x4096"})
    public String shape;

    /** Rows of A. */
    @Param({"1", "2", "4", "8", "32", "512"})
    public int m;

    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor a;

    /** Builds the model with a random W, the session and a random A. */
    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        int[] nk = parseShape(shape);
        int n = nk[0];
        int k = nk[1];
        ByteBuffer w =
                ByteBuffer.allocate(Math.multiplyExact(n * k, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < n * k; i++) {
            w.putFloat((float) (random.nextGaussian() * 0.02));
        }
        env = OrtEnvironment.getEnvironment();
        session = OnnxGraphs.session(
                env,
                OnnxGraphs.model(
                        "MatMul",
                        "",
                        k,
                        n,
                        new Protobuf[0],
                        Map.of("W", OnnxGraphs.tensor("W", OnnxGraphs.FLOAT, w.array(), k, n))));
        a = OnnxGraphs.randomInput(env, m, k);
        matmul();
    }

    /** Closes the session and the input. */
    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        a.close();
        session.close();
    }

    /** One product (the output is read back as a buffer, then freed). */
    @Benchmark
    public float matmul() throws OrtException {
        try (OrtSession.Result out = session.run(Map.of("A", a))) {
            return ((OnnxTensor) out.get(0)).getFloatBuffer().get(0);
        }
    }

    static Workload workload(BenchmarkParams p) {
        int[] nk = parseShape(p.getParam("shape"));
        int m = Integer.parseInt(p.getParam("m"));
        return new Workload(
                p.getParam("shape") + " M=" + m + " f32",
                (double) nk[0] * nk[1] * Float.BYTES,
                2.0 * m * nk[0] * nk[1]);
    }
}
