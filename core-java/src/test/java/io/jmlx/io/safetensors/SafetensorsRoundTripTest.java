package io.jmlx.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writing arrays with {@link SafetensorsWriter} and reading them back with {@link SafetensorsFile}. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTripsByteForByte(DType dtype) throws IOException {
        byte[] bytes = randomBytes(dtype.ordinal(), 3 * 5 * dtype.byteSize());
        Path file = dir.resolve(dtype.safetensorsCode() + ".safetensors");
        SafetensorsWriter.write(file, Map.of("t", Array.fromBytes(bytes, dtype, 3, 5)), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Array a = f.get("t");
            assertEquals(dtype, a.dtype());
            assertArrayEquals(new int[] {3, 5}, a.shape());
            assertArrayEquals(bytes, a.toBytes());
            assertEquals(new TensorInfo("t", dtype, new int[] {3, 5}, 0, bytes.length), f.info("t"));
        }
    }

    @Test
    void halfFloatsAndUnsignedIntsKeepTheirValues() throws IOException {
        float[] values = {0f, -0f, 1f, -2.5f, 65504f, 1e-7f, 3.140625f, Float.POSITIVE_INFINITY};
        int[] words = {0, 1, -1, 0x80000000, 0xCCDDEEFF, 42};
        Map<String, Array> tensors = new TreeMap<>();
        tensors.put("f16", Array.of(values, DType.FLOAT16, 2, 4));
        tensors.put("bf16", Array.of(values, DType.BFLOAT16, 4, 2));
        tensors.put("u32", Array.of(words, DType.UINT32, 6));
        tensors.put("f32", Array.of(values, 8));
        Path file = dir.resolve("values.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(tensors.get("f16").toFloatArray(), f.get("f16").toFloatArray());
            assertArrayEquals(tensors.get("bf16").toFloatArray(), f.get("bf16").toFloatArray());
            assertArrayEquals(values, f.get("f32").toFloatArray());
            assertArrayEquals(words, f.get("u32").toIntArray());
            assertEquals(DType.FLOAT16, f.get("f16").dtype());
            assertEquals(DType.BFLOAT16, f.get("bf16").dtype());
            assertEquals(DType.UINT32, f.get("u32").dtype());
        }
    }

    @Test
    void metadataRoundTripsInOrder() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "mlx");
        meta.put("note", "ünïcödé \"quoted\" \\ and\nnewline");
        meta.put("empty", "");
        Path file = dir.resolve("meta.safetensors");
        SafetensorsWriter.write(file, Map.of("x", Array.of(new float[] {1, 2}, 2)), meta);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(meta, f.metadata());
            assertEquals(List.copyOf(meta.keySet()), List.copyOf(f.metadata().keySet()));
            assertThrows(UnsupportedOperationException.class, () -> f.metadata().put("a", "b"));
        }
    }

    @Test
    void noMetadataMeansNoMetadataKeyAndAnEmptyMap() throws IOException {
        Path file = dir.resolve("nometa.safetensors");
        SafetensorsWriter.write(file, Map.of("x", Array.of(new float[] {1}, 1)), null);
        JsonNode header = readHeader(file);
        assertFalse(header.has("__metadata__"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.metadata().isEmpty());
        }
    }

    @Test
    void headerIsPaddedToEightBytesWithMetadataFirstAndTensorsInMapOrder() throws IOException {
        Map<String, Array> tensors = new LinkedHashMap<>();
        tensors.put("zeta", Array.of(new float[] {1, 2, 3}, 3));
        tensors.put("alpha", Array.of(new int[] {7}, DType.INT8, 1));
        tensors.put("mid", Array.of(new long[] {5, 6}, 2));
        Path file = dir.resolve("order.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("k", "v"));

        byte[] raw = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header length is a multiple of 8");
        String json = new String(raw, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"__metadata__\""), json);
        assertTrue(json.stripTrailing().endsWith("}"), json);
        assertTrue(json.substring(json.lastIndexOf('}') + 1).isBlank(), "padding is spaces");
        assertEquals(8 + n + 12 + 1 + 16, raw.length, "data follows without gaps");

        List<String> headerOrder = new ArrayList<>();
        for (Iterator<String> it = readHeader(file).fieldNames(); it.hasNext(); ) {
            headerOrder.add(it.next());
        }
        assertEquals(List.of("__metadata__", "zeta", "alpha", "mid"), headerOrder);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("zeta", "alpha", "mid"), f.names());
            assertEquals(new TensorInfo("zeta", DType.FLOAT32, new int[] {3}, 0, 12), f.info("zeta"));
            assertEquals(new TensorInfo("alpha", DType.INT8, new int[] {1}, 12, 13), f.info("alpha"));
            assertEquals(new TensorInfo("mid", DType.INT64, new int[] {2}, 13, 29), f.info("mid"));
            assertArrayEquals(new long[] {5, 6}, readLongs(f.get("mid").toBytes()));
        }
    }

    @Test
    void scalarsAndEmptyTensorsRoundTrip() throws IOException {
        Map<String, Array> tensors = new TreeMap<>();
        tensors.put("scalar", Array.of(new float[] {4.5f}));
        tensors.put("empty", Array.zeros(DType.FLOAT16, 0, 7));
        tensors.put("after", Array.of(new float[] {1, 2}, 2));
        Path file = dir.resolve("edge.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new int[0], f.get("scalar").shape());
            assertArrayEquals(new float[] {4.5f}, f.get("scalar").toFloatArray());
            assertArrayEquals(new int[] {0, 7}, f.get("empty").shape());
            assertEquals(0, f.get("empty").nbytes());
            assertArrayEquals(new float[] {1, 2}, f.get("after").toFloatArray());
        }
    }

    @Test
    void arraysLargerThanOneWriteChunkAreStreamedWhole() throws IOException {
        int n = 3_000_000; // 12 MB of float32: more than one 8 MB chunk
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i * 0.5f;
        }
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.write(file, Map.of("big", Array.of(values, 1000, 3000)), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(values, f.get("big").toFloatArray());
        }
    }

    @Test
    void lookupsOfUnknownNamesNameTheTensorAndTheFile() throws IOException {
        Path file = dir.resolve("one.safetensors");
        SafetensorsWriter.write(file, Map.of("present", Array.of(new float[] {1}, 1)), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.contains("present"));
            assertFalse(f.contains("absent"));
            assertFalse(f.contains("__metadata__"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.get("absent"));
            assertTrue(e.getMessage().contains("'absent'") && e.getMessage().contains(file.toString()), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> f.info("absent"));
            assertTrue(e.getMessage().contains("'absent'"), e.getMessage());
            assertEquals(file, f.path());
        }
    }

    @Test
    void closedFilesRefuseReadsAndCloseTwiceIsHarmless() throws IOException {
        Path file = dir.resolve("closed.safetensors");
        SafetensorsWriter.write(file, Map.of("x", Array.of(new float[] {1, 2}, 2)), Map.of());
        SafetensorsFile f = SafetensorsFile.open(file);
        Array view = f.get("x");
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> f.get("x"));
        assertThrows(IllegalStateException.class, view::toFloatArray);
        assertEquals(List.of("x"), f.names(), "the header stays available");
    }

    @Test
    void aFileCanBeRewrittenFromItsOwnMapping() throws IOException {
        Path file = dir.resolve("self.safetensors");
        SafetensorsWriter.write(file, Map.of("a", Array.of(new float[] {1, 2, 3}, 3)), Map.of("v", "1"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, Array> more = new TreeMap<>();
            more.put("a", f.get("a"));
            more.put("b", Array.of(new float[] {9}, 1));
            SafetensorsWriter.write(file, more, Map.of("v", "2"));
            assertArrayEquals(new float[] {1, 2, 3}, f.get("a").toFloatArray(), "the old mapping stays valid");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("a", "b"), f.names());
            assertArrayEquals(new float[] {1, 2, 3}, f.get("a").toFloatArray());
            assertEquals(Map.of("v", "2"), f.metadata());
        }
    }

    private static long[] readLongs(byte[] bytes) {
        long[] out = new long[bytes.length / 8];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    static JsonNode readHeader(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new ObjectMapper().readTree(new String(raw, 8, (int) n, StandardCharsets.UTF_8));
    }
}
