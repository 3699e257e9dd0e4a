package io.jmlx.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.TensorInfo;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading real files written by MLX ({@code mx::save_safetensors}) and a real model checkpoint. */
class SafetensorsGoldenTest {
    private static JsonNode manifest() throws IOException {
        return new ObjectMapper().readTree(SharedData.goldenManifest().toFile());
    }

    static List<String> goldenFiles() throws IOException {
        List<String> files = new ArrayList<>();
        manifest().get("files").fieldNames().forEachRemaining(files::add);
        return files;
    }

    /** name → [dtype, shape] as manifest.json describes the file. */
    private static Map<String, JsonNode> expectedTensors(JsonNode manifest, String fileName) {
        JsonNode file = manifest.get("files").get(fileName);
        Map<String, JsonNode> expected = new TreeMap<>();
        file.get("inputs").properties().forEach(e -> expected.put(e.getKey(), e.getValue()));
        for (JsonNode caseName : file.get("cases")) {
            manifest.get("cases").get(caseName.asText()).get("outputs").forEach(out -> {
                if (out.has("name")) {
                    expected.put(out.get("name").asText(), out);
                }
            });
        }
        return expected;
    }

    @ParameterizedTest
    @MethodSource("goldenFiles")
    void namesDtypesAndShapesMatchTheManifest(String fileName) throws IOException {
        JsonNode manifest = manifest();
        JsonNode described = manifest.get("files").get(fileName);
        Path path = SharedData.golden(fileName);
        assertEquals(described.get("bytes").asLong(), Files.size(path));
        Map<String, JsonNode> expected = expectedTensors(manifest, fileName);
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            assertEquals(expected.keySet(), new TreeSet<>(f.names()));
            assertEquals(expected.size(), f.names().size());
            for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
                TensorInfo info = f.info(e.getKey());
                assertEquals(DType.parse(e.getValue().get("dtype").asText()), info.dtype(), e.getKey());
                int[] shape = new int[e.getValue().get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = e.getValue().get("shape").get(i).asInt();
                }
                assertArrayEquals(shape, info.shape(), e.getKey());
                Array a = f.get(e.getKey());
                assertArrayEquals(shape, a.shape());
                assertEquals(info.byteSize(), a.nbytes());
            }
            long previousEnd = 0;
            for (String name : f.names()) {
                TensorInfo info = f.info(name);
                assertTrue(info.begin() >= previousEnd, "names() is in data order");
                previousEnd = info.end();
            }
            assertEquals(described.get("mode").asText(), f.metadata().get("mode"));
            assertEquals(described.get("dtype").asText(), f.metadata().get("dtype"));
            assertEquals(described.get("seed").asText(), f.metadata().get("seed"));
            assertTrue(
                    f.metadata().get("generator").startsWith("mlx"),
                    f.metadata().toString());
        }
    }

    @Test
    void metadataOfTheFloat32FileParses() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(SharedData.golden("affine_float32_64x128.safetensors"))) {
            assertEquals(
                    Map.of(
                            "dtype",
                            "float32",
                            "generator",
                            "mlx 0.32.2 cpu",
                            "mode",
                            "affine",
                            "seed",
                            "1000",
                            "w_shape",
                            "64x128"),
                    f.metadata());
            assertEquals(0, f.info(f.names().get(0)).begin());
        }
    }

    @Test
    void mappedGoldenDataFeedsTheOpsDirectly() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(SharedData.golden("affine_float32_64x128.safetensors"))) {
            Array w = f.get("w");
            QuantizedParts q = Jmlx.quantize(w, 64, 4);
            assertArrayEquals(f.get("b4_g64/w_q").toBytes(), q.packed().toBytes());
            assertArrayEquals(f.get("b4_g64/scales").toBytes(), q.scales().toBytes());
            assertArrayEquals(f.get("b4_g64/biases").toBytes(), q.biases().toBytes());
            Array wHat = Jmlx.dequantize(f.get("b4_g64/w_q"), f.get("b4_g64/scales"), f.get("b4_g64/biases"), 64, 4);
            assertArrayEquals(f.get("b4_g64/w_hat").toBytes(), wHat.toBytes());
        }
    }

    @Test
    void readsTheTinyStoriesModel() throws IOException {
        Path path = SharedData.tinyStoriesModel();
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            assertEquals(47, f.names().size());
            assertEquals("model.embed_tokens.weight", f.names().get(0));
            assertEquals("model.norm.weight", f.names().get(46));
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(
                    new int[] {512, 64}, f.get("model.embed_tokens.weight").shape());
            assertArrayEquals(
                    new int[] {64, 172},
                    f.get("model.layers.0.mlp.down_proj.weight").shape());
            long dataBytes = 0;
            for (String name : f.names()) {
                assertEquals(DType.FLOAT32, f.info(name).dtype());
                dataBytes += f.info(name).byteSize();
            }
            byte[] head = new byte[8];
            try (var in = Files.newInputStream(path)) {
                assertEquals(8, in.read(head));
            }
            long headerLength =
                    ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(Files.size(path), 8 + headerLength + dataBytes, "tensors cover the data buffer");
            float[] norm = f.get("model.norm.weight").toFloatArray();
            assertEquals(64, norm.length);
            for (float v : norm) {
                assertTrue(Float.isFinite(v));
            }
        }
    }
}
