package io.jmlx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The peer: ONNX Runtime's 4-bit {@code MatMulNBits} (com.microsoft), a one-node model built here, run on one
 * thread. {@code Y[M, N] = A[M, K] · Ŵᵀ} with W quantized in blocks of {@code blockSize} along K, asymmetric (a
 * float32 scale and a 4-bit zero point per block: the same information as MLX's scale and bias).
 * {@code accuracyLevel} 4 lets ONNX Runtime quantize A to int8 and use its integer kernels (MLAS); 0 keeps float32
 * arithmetic. Rates count the weight's bytes (codes, scales, zero points).
 */
public class OrtMatMulNBitsBench extends JmlxBenchmark {
    /** Weight shape {@code NxK}. */
    @Param({"4096x4096"})
    public String shape;

    /** Rows of A. */
    @Param({"1", "2", "4", "8", "32", "512"})
    public int m;

    /** Weights per scale and zero point (a power of two, at least 16). */
    @Param({"32"})
    public int blockSize;

    /** ONNX Runtime's {@code accuracy_level}: 4 computes with int8 activations, 0 in float32. */
    @Param({"4"})
    public int accuracyLevel;

    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor a;

    /** Quantizes a random weight, builds the model and the session, and makes a random A. */
    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        int[] nk = parseShape(shape);
        int n = nk[0];
        int k = nk[1];
        if (k % blockSize != 0) {
            throw new IllegalArgumentException("K = " + k + " is not a multiple of blockSize " + blockSize);
        }
        int blocks = k / blockSize;
        byte[] codes = new byte[n * k / 2];
        ByteBuffer scales = ByteBuffer.allocate(n * blocks * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int zeroBytesPerRow = (blocks + 1) / 2;
        byte[] zeros = new byte[n * zeroBytesPerRow];
        SplittableRandom random = new SplittableRandom(SEED);
        float[] block = new float[blockSize];
        for (int row = 0; row < n; row++) {
            for (int b = 0; b < blocks; b++) {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < blockSize; i++) {
                    block[i] = (float) (random.nextGaussian() * 0.02);
                    min = Math.min(min, block[i]);
                    max = Math.max(max, block[i]);
                }
                min = Math.min(min, 0f);
                max = Math.max(max, 0f);
                float scale = max > min ? (max - min) / 15f : 1f;
                int zero = Math.clamp(Math.round(-min / scale), 0, 15);
                scales.putFloat(scale);
                zeros[row * zeroBytesPerRow + b / 2] |= (byte) (zero << (4 * (b % 2)));
                for (int i = 0; i < blockSize; i++) {
                    int q = Math.clamp(Math.round(block[i] / scale) + zero, 0, 15);
                    int at = row * k + b * blockSize + i;
                    codes[at / 2] |= (byte) (q << (4 * (at % 2)));
                }
            }
        }
        Map<String, Protobuf> inits = new LinkedHashMap<>();
        inits.put("B", OnnxGraphs.tensor("B", OnnxGraphs.UINT8, codes, n, blocks, blockSize / 2));
        inits.put("scales", OnnxGraphs.tensor("scales", OnnxGraphs.FLOAT, scales.array(), n, blocks));
        inits.put("zero_points", OnnxGraphs.tensor("zero_points", OnnxGraphs.UINT8, zeros, n, zeroBytesPerRow));
        Protobuf[] attributes = {
            OnnxGraphs.intAttribute("K", k),
            OnnxGraphs.intAttribute("N", n),
            OnnxGraphs.intAttribute("bits", 4),
            OnnxGraphs.intAttribute("block_size", blockSize),
            OnnxGraphs.intAttribute("accuracy_level", accuracyLevel)
        };
        env = OrtEnvironment.getEnvironment();
        session = OnnxGraphs.session(env, OnnxGraphs.model("MatMulNBits", "com.microsoft", k, n, attributes, inits));
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
            FloatBuffer y = ((OnnxTensor) out.get(0)).getFloatBuffer();
            return y.get(0);
        }
    }

    static Workload workload(BenchmarkParams p) {
        int[] nk = parseShape(p.getParam("shape"));
        int m = Integer.parseInt(p.getParam("m"));
        int block = Integer.parseInt(p.getParam("blockSize"));
        int blocks = nk[1] / block;
        double bytes = nk[0] * (double) nk[1] / 2
                + (double) nk[0] * blocks * Float.BYTES
                + (double) nk[0] * ((blocks + 1) / 2);
        return new Workload(
                p.getParam("shape") + " M=" + m + " b4 g" + block + " acc" + p.getParam("accuracyLevel"),
                bytes,
                2.0 * m * nk[0] * nk[1]);
    }
}
