package io.jmlx.io.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.safetensors.SafetensorsWriter;
import io.jmlx.testing.FuzzFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Jazzer on a model directory's JSON files as {@link ModelCheckpoint#open} reads them: the shard index
 * ({@code model.safetensors.index.json}) and {@code config.json}, beside two fixed shards. The input is the
 * config's bytes, the separator {@value #SEPARATOR}, then the index's bytes (without the separator: an index and
 * no config). Either the
 * checkpoint opens and every tensor it lists reads back from its shard, or it is refused with an
 * {@link IOException} that says why; anything else is a finding.
 *
 * <p>Seeds ({@code ModelCheckpointFuzzTestInputs/}): the index mlx-lm writes for these shards with configs of
 * quantized and dense models, and indexes that misplace or omit tensors.
 */
class ModelCheckpointFuzzTest {
    private static final String SEPARATOR = "<<index>>";
    private static final Path DIR = FuzzFiles.scratch("model");

    static {
        try {
            Files.createDirectories(DIR);
            SafetensorsWriter.write(
                    DIR.resolve("model-00001-of-00002.safetensors"),
                    Map.of(
                            "layers.0.weight", Array.of(new int[] {1, 2, 3, 4}, DType.UINT32, 2, 2),
                            "layers.0.scales", Array.of(new float[] {0.5f, 0.25f}, 2, 1),
                            "layers.0.biases", Array.of(new float[] {-1f, 1f}, 2, 1)),
                    Map.of("format", "mlx"));
            SafetensorsWriter.write(
                    DIR.resolve("model-00002-of-00002.safetensors"),
                    Map.of("norm.weight", Array.of(new float[] {1f, 2f, 3f}, 3)),
                    Map.of("format", "mlx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files' words, the shards' and tensors' names, for mutations that keep the JSON meaningful. */
    @DictionaryEntries({
        "\"weight_map\"",
        "\"metadata\"",
        "\"total_size\"",
        "\"model-00001-of-00002.safetensors\"",
        "\"model-00002-of-00002.safetensors\"",
        "\"layers.0.weight\"",
        "\"layers.0.scales\"",
        "\"layers.0.biases\"",
        "\"norm.weight\"",
        "\"layers.0\"",
        "\"quantization\"",
        "\"group_size\"",
        "\"bits\"",
        "\"mode\"",
        "\"..\"",
        "\".\"",
        "\"\"",
        "\"/\"",
        "null",
        "false",
        "{}",
        "[]",
        "<<index>>"
    })
    @FuzzTest
    void opensOrSaysWhy(byte[] bytes) throws IOException {
        int split = indexOf(bytes, SEPARATOR.getBytes(StandardCharsets.US_ASCII));
        Path config = DIR.resolve(ModelCheckpoint.CONFIG_FILE);
        if (split < 0) {
            Files.deleteIfExists(config);
        } else {
            FuzzFiles.write(config, Arrays.copyOf(bytes, split));
        }
        FuzzFiles.write(
                DIR.resolve(ModelCheckpoint.INDEX_FILE),
                Arrays.copyOfRange(bytes, split < 0 ? 0 : split + SEPARATOR.length(), bytes.length));
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(DIR)) {
            long total = 0;
            for (String name : ckpt.names()) {
                Array a = ckpt.get(name);
                assertEquals(ckpt.info(name).byteSize(), a.toBytes().length, name);
                assertTrue(ckpt.fileOf(name).getParent().equals(DIR), "a shard beside the index: " + name);
                total += a.nbytes();
                int dot = name.lastIndexOf('.');
                ckpt.layerQuantization(dot < 0 ? name : name.substring(0, dot));
            }
            assertEquals(total, ckpt.dataBytes());
            ckpt.config();
            ckpt.metadata();
        } catch (IOException refused) {
            FuzzFiles.assertExplains(refused);
        }
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }
}
