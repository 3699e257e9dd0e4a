package io.jmlx.io.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.TensorSpec;
import io.jmlx.io.safetensors.SafetensorsOutput;
import io.jmlx.io.safetensors.SafetensorsWriter;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.RandomArrays;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model directories in mlx-lm's layout: {@link CheckpointWriter} writes them (single file or shards with the index,
 * sorted config with the quantization mirror, atomically) and {@link ModelCheckpoint} reads them back bit for bit,
 * decides quantized layers by mlx-lm's rule, and refuses malformed directories with clear messages.
 */
class ModelCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A small quantized model: two 4-bit layers (one overridden to 8 bits), a dense layer, a norm and a bias. */
    private static Map<String, Array> tensors() {
        Map<String, Array> t = new TreeMap<>();
        Array w0 = RandomArrays.normal(1, 0.02f, DType.FLOAT16, 64, 128);
        QuantizedParts q0 = Jmlx.quantize(w0, 64, 4);
        t.put("model.layers.0.proj.weight", q0.packed());
        t.put("model.layers.0.proj.scales", q0.scales());
        t.put("model.layers.0.proj.biases", q0.biases());
        t.put("model.layers.0.proj.bias", RandomArrays.normal(2, 1f, DType.FLOAT16, 64));
        QuantizedParts q1 = Jmlx.quantize(RandomArrays.normal(3, 0.02f, DType.FLOAT16, 32, 128), 32, 8);
        t.put("lm_head.weight", q1.packed());
        t.put("lm_head.scales", q1.scales());
        t.put("lm_head.biases", q1.biases());
        t.put("model.router.weight", RandomArrays.normal(4, 0.02f, DType.FLOAT16, 8, 128));
        t.put("model.norm.weight", RandomArrays.normal(5, 1f, DType.FLOAT16, 128));
        return t;
    }

    private static ObjectNode config() throws IOException {
        return (ObjectNode) JSON.readTree("""
                {"model_type": "llama", "hidden_size": 128, "_name_or_path": "somewhere",
                 "quantization": {"group_size": 64, "bits": 4, "mode": "affine",
                   "lm_head": {"group_size": 32, "bits": 8, "mode": "affine"}, "model.router": false}}""");
    }

    @Test
    void aShardedWriteReadsBackBitForBitWithMlxLmsIndexAndConfig() throws IOException {
        Map<String, Array> tensors = tensors();
        Path out = dir.resolve("model-4bit");
        long[] progress = new long[2];
        CheckpointWriter.to(out)
                .shardBytes(6000)
                .listener((spec, done, total) -> {
                    progress[0] = done;
                    progress[1] = total;
                })
                .write(config(), tensors);

        List<String> files = listing(out);
        assertTrue(files.size() > 4, "several shards: " + files);
        assertTrue(files.contains("model-00001-of-0000" + (files.size() - 2) + ".safetensors"), files.toString());
        long total = tensors.values().stream().mapToLong(Array::nbytes).sum();
        assertEquals(total, progress[0]);
        assertEquals(total, progress[1]);

        JsonNode index =
                JSON.readTree(out.resolve("model.safetensors.index.json").toFile());
        assertEquals(total, index.get("metadata").get("total_size").asLong());
        // 64·128 + 64 (bias) + 32·128 + 8·128 + 128: scales and biases of quantized layers do not count.
        assertEquals(
                64 * 128 + 64 + 32 * 128 + 8 * 128 + 128,
                index.get("metadata").get("total_parameters").asLong());
        List<String> mapped = new ArrayList<>();
        index.get("weight_map").fieldNames().forEachRemaining(mapped::add);
        assertEquals(List.copyOf(tensors.keySet()), mapped, "weight_map keys sorted");

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        List<String> keys = new ArrayList<>();
        config.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("hidden_size", "model_type", "quantization", "quantization_config"), keys);
        assertEquals(config.get("quantization"), config.get("quantization_config"));
        assertTrue(
                Files.readString(out.resolve("config.json")).contains("\n    \"hidden_size\": 128,\n"),
                "Python-style layout");

        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            assertEquals(List.copyOf(tensors.keySet()), ckpt.names());
            for (Map.Entry<String, Array> e : tensors.entrySet()) {
                Array back = ckpt.get(e.getKey());
                assertEquals(e.getValue().dtype(), back.dtype(), e.getKey());
                assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
                assertArrayEquals(e.getValue().toBytes(), back.toBytes(), e.getKey());
                assertEquals(Map.of("format", "mlx"), ckpt.metadata());
            }
            assertEquals(
                    Optional.of(new QuantizationSettings(64, 4, QuantizationMode.AFFINE)),
                    ckpt.layerQuantization("model.layers.0.proj"),
                    "global settings: it has scales");
            assertEquals(
                    Optional.of(new QuantizationSettings(32, 8, QuantizationMode.AFFINE)),
                    ckpt.layerQuantization("lm_head"),
                    "its config entry");
            assertEquals(Optional.empty(), ckpt.layerQuantization("model.router"));
            assertEquals(Optional.empty(), ckpt.layerQuantization("model.norm"));
            assertEquals(total, ckpt.dataBytes());
        }
    }

    @Test
    void oneShardIsModelSafetensorsAndStillHasAnIndex() throws IOException {
        Path out = dir.resolve("m");
        CheckpointWriter.to(out).write(config(), tensors());
        assertEquals(List.of("config.json", "model.safetensors", "model.safetensors.index.json"), listing(out));
    }

    @Test
    void shardingFollowsMlxLm() {
        List<TensorSpec> specs = List.of(spec("a", 40), spec("b", 40), spec("c", 30), spec("d", 200), spec("e", 1));
        List<List<TensorSpec>> shards = CheckpointWriter.shards(specs, 100);
        assertEquals(
                List.of(List.of("a", "b"), List.of("c"), List.of("d"), List.of("e")),
                shards.stream()
                        .map(s -> s.stream().map(TensorSpec::name).toList())
                        .toList(),
                "a new shard when the next tensor would pass the limit; an oversized tensor alone");
    }

    private static TensorSpec spec(String name, int bytes) {
        return new TensorSpec(name, DType.UINT8, new int[] {bytes});
    }

    @Test
    void anExistingDestinationIsKeptUnlessReplacingAndOnlyAModelIsReplaced() throws IOException {
        Path out = dir.resolve("m");
        CheckpointWriter.to(out).write(config(), tensors());
        byte[] before = Files.readAllBytes(out.resolve("model.safetensors"));
        assertThrows(
                FileAlreadyExistsException.class, () -> CheckpointWriter.to(out).write(config(), tensors()));
        assertArrayEquals(before, Files.readAllBytes(out.resolve("model.safetensors")));

        Map<String, Array> other = Map.of("x.weight", Array.of(new float[] {1, 2}, 2));
        CheckpointWriter.to(out).replaceExisting(true).write(JSON.createObjectNode(), other);
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            assertEquals(List.of("x.weight"), ckpt.names());
        }

        Path notAModel = Files.createDirectory(dir.resolve("photos"));
        Files.writeString(notAModel.resolve("cat.jpg"), "meow");
        IOException refused = assertThrows(
                IOException.class,
                () -> CheckpointWriter.to(notAModel).replaceExisting(true).write(JSON.createObjectNode(), other));
        assertTrue(refused.getMessage().contains("refusing to replace"), refused.getMessage());
        assertTrue(Files.exists(notAModel.resolve("cat.jpg")));
    }

    @Test
    void aFailingSourceLeavesNothingBehindAndTheOldDirectoryIntact() throws IOException {
        Path out = dir.resolve("m");
        CheckpointWriter.to(out).write(config(), tensors());
        List<String> before = listing(dir);
        Map<String, Array> t = tensors();
        List<TensorSpec> specs = new ArrayList<>();
        t.forEach((name, a) -> specs.add(new TensorSpec(name, a.dtype(), a.shape())));
        Iterator<String> names = t.keySet().iterator();
        names.next();
        String failAt = names.next();
        IOException e = assertThrows(
                IOException.class,
                () -> CheckpointWriter.to(out)
                        .replaceExisting(true)
                        .shardBytes(5000)
                        .write(config(), specs, spec -> {
                            if (spec.name().equals(failAt)) {
                                throw new IOException("disk on fire");
                            }
                            return t.get(spec.name()).data();
                        }));
        assertEquals("disk on fire", e.getMessage());
        assertEquals(before, listing(dir), "no temporary directory left beside it");
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            assertEquals(List.copyOf(t.keySet()), ckpt.names());
        }
    }

    @Test
    void aDirectoryWithoutIndexIsReadThroughItsModelFilesAndASingleFileToo() throws IOException {
        Path d = Files.createDirectory(dir.resolve("plain"));
        SafetensorsWriter.write(d.resolve("model-a.safetensors"), Map.of("a", Array.of(new float[] {1}, 1)), null);
        SafetensorsWriter.write(d.resolve("model-b.safetensors"), Map.of("b", Array.of(new float[] {2}, 1)), null);
        SafetensorsWriter.write(d.resolve("other.safetensors"), Map.of("c", Array.of(new float[] {3}, 1)), null);
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(d)) {
            assertEquals(List.of("a", "b"), ckpt.names(), "only model*.safetensors, as mlx-lm globs");
            assertTrue(ckpt.quantization().isEmpty());
            assertEquals(0, ckpt.config().size());
        }
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(d.resolve("other.safetensors"))) {
            assertEquals(List.of("c"), ckpt.names());
            assertFalse(ckpt.isDirectory());
        }
    }

    @Test
    void malformedDirectoriesAreRefusedClearly() throws IOException {
        Path out = dir.resolve("m");
        CheckpointWriter.to(out).shardBytes(6000).write(config(), tensors());
        Path index = out.resolve("model.safetensors.index.json");
        String good = Files.readString(index);

        Files.writeString(out.resolve("config.json"), "{\"model_type\": ");
        assertMessage(IOException.class, out, "config.json: not valid JSON");
        // Bytes that look like UTF-32 to Jackson's encoding detection (found by QuantizationConfigFuzzTest)
        Files.write(out.resolve("config.json"), new byte[] {'{', 0, 0, 0, 0, 0, 0, 0, 0, '"', 'a', '"', ':', '1', '}'});
        assertMessage(IOException.class, out, "config.json: not valid JSON");
        Files.writeString(out.resolve("config.json"), "{\"quantization\": {\"bits\": 9}}");
        assertMessage(IOException.class, out, "The requested number of bits 9 is not supported");
        Files.writeString(out.resolve("config.json"), "{}");

        Files.writeString(index, "{\"metadata\": {}}");
        assertMessage(IOException.class, out, "has no \"weight_map\" object");
        Files.writeString(index, good.replace("model-00001-of", "model-00009-of"));
        assertMessage(NoSuchFileException.class, out, "model-00009-of");
        String firstTensor = "lm_head.biases";
        Files.writeString(index, good.replaceFirst("(\"" + firstTensor + "\": \")model-00001", "$1model-00002"));
        assertMessage(IOException.class, out, "places tensor lm_head.biases in model-00002");
        Files.writeString(index, good.replaceFirst("\\s*\"" + firstTensor + "\": \"[^\"]*\",", ""));
        assertMessage(IOException.class, out, "holds tensor lm_head.biases, which");
        Files.writeString(index, good);

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertMessage(NoSuchFileException.class, empty, "no model*.safetensors files");
    }

    private static void assertMessage(Class<? extends IOException> type, Path path, String part) {
        IOException e = assertThrows(type, () -> ModelCheckpoint.open(path).close());
        String text = e instanceof NoSuchFileException n ? n.getFile() + " " + n.getReason() : e.getMessage();
        assertTrue(text.contains(part), "expected '" + part + "' in: " + text);
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theStreamedOutputChecksOrderAndSizes() throws IOException {
        List<TensorSpec> specs = List.of(spec("a", 4), spec("b", 2));
        Path file = dir.resolve("x.safetensors");
        try (SafetensorsOutput out = SafetensorsOutput.create(file, specs, null)) {
            MemorySegment four = Array.fromBytes(new byte[4], DType.UINT8, 4).data();
            assertThrows(IllegalArgumentException.class, () -> out.write("b", four));
            assertThrows(IllegalArgumentException.class, () -> out.write("a", four.asSlice(0, 3)));
            out.write("a", four);
            assertThrows(IllegalStateException.class, out::commit);
        }
        assertFalse(Files.exists(file), "closed without a commit: nothing");
        assertEquals(List.of(), listing(dir));
    }
}
