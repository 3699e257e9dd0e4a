package io.jmlx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One-node ONNX models built in memory (ModelProto written field by field) and ONNX Runtime sessions on one
 * thread: {@code Y = A · B} with A a float32 input of shape {@code [M, K]} and B an initializer.
 */
final class OnnxGraphs {
    /** ONNX TensorProto data types. */
    static final int FLOAT = 1;

    static final int UINT8 = 2;

    private static final int ATTRIBUTE_INT = 2;

    private OnnxGraphs() {}

    /** An initializer: a tensor of {@code dataType} with raw little-endian {@code data}. */
    static Protobuf tensor(String name, int dataType, byte[] data, long... dims) {
        Protobuf t = new Protobuf();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, dataType).string(8, name).bytes(9, data);
    }

    /** An integer attribute of a node. */
    static Protobuf intAttribute(String name, long value) {
        return new Protobuf().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    /**
     * A model whose graph is one node {@code opType} (of {@code domain}, empty for ONNX's own) from the float32
     * input {@code A [M, k]} and {@code initializers} (their names are the node's other inputs, in order) to the
     * float32 output {@code Y [M, n]}.
     */
    static byte[] model(
            String opType, String domain, int k, int n, Protobuf[] attributes, Map<String, Protobuf> inits) {
        Protobuf node = new Protobuf().string(1, "A");
        inits.keySet().forEach(name -> node.string(1, name));
        node.string(2, "Y").string(3, "node").string(4, opType).string(7, domain);
        for (Protobuf a : attributes) {
            node.message(5, a);
        }
        Protobuf graph = new Protobuf().message(1, node).string(2, "bench");
        inits.values().forEach(t -> graph.message(5, t));
        graph.message(11, floatMatrix("A", k)).message(12, floatMatrix("Y", n));
        Protobuf model = new Protobuf()
                .varint(1, 8)
                .string(2, "jmlx-bench")
                .message(8, new Protobuf().string(1, "").varint(2, 21))
                .message(7, graph);
        if (!domain.isEmpty()) {
            model.message(8, new Protobuf().string(1, domain).varint(2, 1));
        }
        return model.toBytes();
    }

    /** A ValueInfoProto: float32 of shape {@code [M, cols]}, M symbolic. */
    private static Protobuf floatMatrix(String name, int cols) {
        Protobuf shape =
                new Protobuf().message(1, new Protobuf().string(2, "M")).message(1, new Protobuf().varint(1, cols));
        Protobuf tensorType = new Protobuf().varint(1, FLOAT).message(2, shape);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }

    /** A float32 input {@code [rows, cols]} of normal values (standard deviation 1), in a direct buffer. */
    static OnnxTensor randomInput(OrtEnvironment env, int rows, int cols) throws OrtException {
        FloatBuffer values = ByteBuffer.allocateDirect(Math.multiplyExact(rows * cols, Float.BYTES))
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        SplittableRandom random = new SplittableRandom(JmlxBenchmark.SEED + 1);
        for (int i = 0; i < rows * cols; i++) {
            values.put(i, (float) random.nextGaussian());
        }
        return OnnxTensor.createTensor(env, values, new long[] {rows, cols});
    }

    /** A session on {@code model} that runs every op on the calling thread. */
    static OrtSession session(OrtEnvironment env, byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return env.createSession(model, options);
        }
    }
}
