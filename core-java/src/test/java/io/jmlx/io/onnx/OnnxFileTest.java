package io.jmlx.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.model.ModelCheckpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnnxFile} and {@link OnnxWeights} on ONNX models encoded here field by field (protobuf wire format):
 * raw and typed initializers, packed and unpacked repeated fields, MatMul weight names recovered and transposed,
 * and a clear {@link OnnxFormatException} for every truncation and for external data.
 */
class OnnxFileTest {
    @TempDir
    Path dir;

    /** Protobuf encoding, enough for ONNX's messages. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long v) {
            tag(field, 0);
            writeVarint(v);
            return this;
        }

        Proto bytes(int field, byte[] b) {
            tag(field, 2);
            writeVarint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.toBytes());
        }

        Proto fixed32(int field, float f) {
            tag(field, 5);
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(f);
            out.writeBytes(b.array());
            return this;
        }

        private void tag(int field, int wire) {
            writeVarint((long) field << 3 | wire);
        }

        private void writeVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    /** y = x · W + b with W anonymous [2, 3] raw data and b named, float_data unpacked; dims packed for b. */
    private static byte[] linearModel() {
        Proto w = new Proto()
                .varint(1, 2)
                .varint(1, 3)
                .varint(2, 1)
                .string(8, "onnx::MatMul_7")
                .bytes(9, floats(1, 2, 3, 4, 5, 6));
        Proto b = new Proto()
                .bytes(1, new byte[] {3})
                .varint(2, 1)
                .fixed32(4, 0.5f)
                .fixed32(4, -1f)
                .fixed32(4, 2f)
                .string(8, "dense.bias");
        Proto matmul = new Proto()
                .string(1, "x")
                .string(1, "onnx::MatMul_7")
                .string(2, "h")
                .string(3, "/dense/MatMul")
                .string(4, "MatMul");
        Proto add = new Proto()
                .string(1, "h")
                .string(1, "dense.bias")
                .string(2, "y")
                .string(3, "/dense/Add")
                .string(4, "Add");
        Proto graph = new Proto()
                .message(1, matmul)
                .message(1, add)
                .string(2, "g")
                .message(5, w)
                .message(5, b)
                .message(11, new Proto().string(1, "x"))
                .message(12, new Proto().string(1, "y"));
        return new Proto().varint(1, 8).string(2, "test").message(7, graph).toBytes();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void initializersNodesAndRecoveredLinearWeights() throws IOException {
        try (OnnxFile onnx = OnnxFile.open(write("m.onnx", linearModel()))) {
            assertEquals(List.of("x"), onnx.inputs());
            assertEquals(List.of("y"), onnx.outputs());
            assertEquals(
                    List.of("MatMul", "Add"),
                    onnx.nodes().stream().map(OnnxFile.Node::opType).toList());
            Array raw = onnx.initializers().get("onnx::MatMul_7");
            assertArrayEquals(new int[] {2, 3}, raw.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, raw.toFloatArray());
            assertArrayEquals(
                    new float[] {0.5f, -1f, 2f},
                    onnx.initializers().get("dense.bias").toFloatArray());

            Map<String, Array> weights = OnnxWeights.pytorchLayout(onnx);
            assertEquals(List.of("dense.bias", "dense.weight"), List.copyOf(weights.keySet()));
            Array w = weights.get("dense.weight");
            assertArrayEquals(new int[] {3, 2}, w.shape(), "[out, in]");
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, w.toFloatArray());
            assertEquals(DType.FLOAT32, w.dtype());
        }
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(dir.resolve("m.onnx"))) {
            assertEquals(List.of("dense.bias", "dense.weight"), ckpt.names());
            assertArrayEquals(new int[] {3, 2}, ckpt.info("dense.weight").shape());
        }
    }

    @Test
    void everyTruncationIsAClearFormatError() throws IOException {
        byte[] full = linearModel();
        for (int length = 0; length < full.length; length++) {
            Path p = write("cut.onnx", Arrays.copyOf(full, length));
            OnnxFormatException e = assertThrows(
                    OnnxFormatException.class, () -> OnnxFile.open(p).close(), "cut at " + length);
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        }
    }

    @Test
    void unsupportedOrInconsistentTensorsAreRefused() throws IOException {
        Proto external = new Proto().varint(1, 2).varint(2, 1).string(8, "big").varint(14, 1);
        byte[] model = new Proto().message(7, new Proto().message(5, external)).toBytes();
        assertMessage(model, "initializer 'big' uses external data");

        Proto shortRaw = new Proto().varint(1, 4).varint(2, 1).string(8, "w").bytes(9, floats(1, 2, 3));
        assertMessage(
                new Proto().message(7, new Proto().message(5, shortRaw)).toBytes(),
                "initializer 'w' (4) float32 needs 16 bytes of raw data but has 12");

        Proto oddType = new Proto().varint(1, 1).varint(2, 8).string(8, "s").bytes(6, new byte[] {1});
        assertMessage(new Proto().message(7, new Proto().message(5, oddType)).toBytes(), "ONNX data type 8");

        assertMessage(new Proto().string(2, "no graph").toBytes(), "no graph");
        assertMessage(new byte[] {(byte) 0x0B, 1}, "unsupported wire type 3");
    }

    private void assertMessage(byte[] model, String part) throws IOException {
        Path p = write("bad.onnx", model);
        OnnxFormatException e =
                assertThrows(OnnxFormatException.class, () -> OnnxFile.open(p).close());
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
}
