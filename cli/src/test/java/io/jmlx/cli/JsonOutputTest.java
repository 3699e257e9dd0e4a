package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output for scripts, on TinyStories converted to 4 bits with the query projections at 8: {@code convert
 * --json-summary} describes every layer as the written checkpoint holds it, and {@code inspect --json} lists every
 * tensor, the settings each layer loads with and the totals the table prints.
 */
class JsonOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path converted;
    static JsonNode summary;

    @BeforeAll
    static void convert() throws IOException {
        converted = dir.resolve("stories-4bit");
        Path file = dir.resolve("summary.json");
        Cli.Result r = Cli.run(
                "convert",
                "-i",
                SharedData.tinyStoriesModel().getParent(),
                "-o",
                converted,
                "--override",
                "q_proj=8",
                "--json-summary",
                file);
        assertEquals(0, r.exitCode(), r::toString);
        summary = JSON.readTree(file.toFile());
    }

    @Test
    void theConvertSummaryDescribesTheWrittenCheckpoint() throws IOException {
        assertEquals(converted.toString(), summary.path("output").asText());
        assertEquals(4, summary.path("quantization").path("bits").asInt());
        JsonNode layers = summary.path("layers");
        assertEquals(1 + 5 * 6, layers.size(), "the embedding and six projections per layer");
        assertEquals(5, summary.path("dense").size(), "the five down projections, 172 wide");
        long after = 0;
        try (ModelCheckpoint out = ModelCheckpoint.open(converted)) {
            for (JsonNode l : layers) {
                String path = l.path("path").asText();
                QuantizationSettings s = out.layerQuantization(path).orElseThrow();
                assertEquals(s.bits(), l.path("quantization").path("bits").asInt(), path);
                assertEquals(path.endsWith("q_proj") ? 8 : 4, s.bits(), path);
                assertEquals(
                        path.endsWith("q_proj") ? "--override q_proj=8" : null,
                        l.path("rule").textValue(),
                        path);
                long bytes = out.info(path + ".weight").byteSize()
                        + out.info(path + ".scales").byteSize()
                        + out.info(path + ".biases").byteSize();
                assertEquals(bytes, l.path("bytes_after").asLong(), path);
                double error = l.path("relative_error").asDouble();
                assertTrue(error > 0 && error < (s.bits() == 8 ? 0.01 : 0.2), path + ": " + error);
                after += bytes;
            }
            for (JsonNode d : summary.path("dense")) {
                String name = d.path("name").asText();
                assertTrue(name.endsWith("mlp.down_proj.weight"), name);
                assertArrayEquals(out.info(name).shape(), ints(d.path("shape")));
                assertTrue(d.path("note").asText().contains("not divisible by the group size 64"), d::toString);
            }
            assertEquals(after, summary.path("totals").path("layer_bytes_after").asLong());
            assertEquals(
                    out.dataBytes(), summary.path("totals").path("bytes_out").asLong());
        }
    }

    @Test
    void inspectJsonListsTheTensorsLayersAndTotalsOfTheTable() throws IOException {
        Cli.Result r = Cli.run("inspect", "--json", converted);
        assertEquals(0, r.exitCode(), r::toString);
        JsonNode json = JSON.readTree(r.out());
        try (ModelCheckpoint out = ModelCheckpoint.open(converted)) {
            assertTrue(json.path("directory").asBoolean());
            assertEquals(out.names().size(), json.path("tensors").size());
            Set<String> names = new HashSet<>();
            for (JsonNode t : json.path("tensors")) {
                String name = t.path("name").asText();
                names.add(name);
                assertEquals(out.info(name).dtype().toString(), t.path("dtype").asText(), name);
                assertArrayEquals(out.info(name).shape(), ints(t.path("shape")), name);
                assertEquals(out.info(name).byteSize(), t.path("bytes").asLong(), name);
                assertEquals("model.safetensors", t.path("file").asText());
            }
            assertEquals(new HashSet<>(out.names()), names);
            assertEquals(64, json.path("quantization").path("group_size").asInt());
            assertEquals(31, json.path("layers").size());
            for (JsonNode l : json.path("layers")) {
                boolean query = l.path("path").asText().endsWith("q_proj");
                assertEquals(query ? "config entry" : "global", l.path("source").asText(), l::toString);
                assertEquals(query ? 8 : 4, l.path("quantization").path("bits").asInt(), l::toString);
                assertEquals("ok", l.path("check").asText(), l::toString);
            }
            JsonNode totals = json.path("totals");
            assertEquals(out.dataBytes(), totals.path("bytes").asLong());
            assertEquals(
                    5,
                    totals.path("layers_by_setting")
                            .path("affine, group size 64, 8 bits")
                            .asInt());
            assertEquals(
                    26,
                    totals.path("layers_by_setting")
                            .path("affine, group size 64, 4 bits")
                            .asInt());
        }
        Cli.Result table = Cli.run("inspect", converted);
        JsonNode totals = json(r).path("totals");
        assertTrue(
                table.out()
                        .contains(String.format(
                                Locale.ROOT,
                                "%,d weights in .weight tensors (%.2f bits per weight overall)",
                                totals.path("weights").asLong(),
                                totals.path("bits_per_weight").asDouble())),
                table::toString);
        assertFalse(table.out().trim().startsWith("{"));
    }

    @Test
    void aSummaryFileWhoseFolderIsMissingIsRefusedBeforeConverting() {
        Path out = dir.resolve("never");
        Cli.Result r = Cli.run(
                "convert",
                "-i",
                SharedData.tinyStoriesModel().getParent(),
                "-o",
                out,
                "--json-summary",
                dir.resolve("no/such/folder/s.json"));
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("jmlx convert: the folder of --json-summary"), r::toString);
        assertFalse(Files.exists(out));
    }

    private static JsonNode json(Cli.Result r) throws IOException {
        return JSON.readTree(r.out());
    }

    private static int[] ints(JsonNode array) {
        int[] v = new int[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asInt();
        }
        return v;
    }
}
