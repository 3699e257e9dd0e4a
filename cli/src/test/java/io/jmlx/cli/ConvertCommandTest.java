package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.RandomArrays;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jmlx convert} end to end: MLX's own bytes for every layer (golden files), mlx-lm's layout with shards,
 * per-layer overrides and skips, the divisibility rule, the real TinyStories model, and refusals.
 */
class ConvertCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] BITS = {2, 3, 4, 5, 6, 8};
    private static final int[] GROUPS = {32, 64, 128};

    @TempDir
    Path dir;

    /** A model directory holding {@code tensors} and {@code config}. */
    private Path model(String name, Map<String, Array> tensors, String config) throws IOException {
        Path d = dir.resolve(name);
        CheckpointWriter.to(d).write((ObjectNode) JSON.readTree(config), tensors);
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float16", "bfloat16"})
    void everyAffineLayerHoldsMlxsBytesWithOverridesPerLayer(String dtype) throws IOException {
        Path golden = SharedData.golden("affine_" + dtype + "_128x256.safetensors");
        try (SafetensorsFile g = SafetensorsFile.open(golden)) {
            Map<String, Array> tensors = new TreeMap<>();
            List<String> args =
                    new ArrayList<>(List.of("convert", "-o", dir.resolve("out").toString()));
            for (int b : BITS) {
                for (int gs : GROUPS) {
                    String layer = "layers.b" + b + "_g" + gs;
                    tensors.put(layer + ".weight", g.get("w"));
                    args.add("--override");
                    args.add(layer.replace(".", "\\.") + "$=" + b + ":" + gs);
                }
            }
            Path in = model("in", tensors, "{\"model_type\": \"test\"}");
            args.addAll(List.of("-i", in.toString()));
            Cli.Result r = Cli.run(args.toArray());
            assertEquals(0, r.exitCode(), r.toString());

            try (ModelCheckpoint out = ModelCheckpoint.open(dir.resolve("out"))) {
                JsonNode q = out.config().get("quantization");
                for (int b : BITS) {
                    for (int gs : GROUPS) {
                        String layer = "layers.b" + b + "_g" + gs;
                        String key = "b" + b + "_g" + gs;
                        for (String[] part :
                                new String[][] {{".weight", "/w_q"}, {".scales", "/scales"}, {".biases", "/biases"}}) {
                            assertArrayEquals(
                                    g.get(key + part[1]).toBytes(),
                                    out.get(layer + part[0]).toBytes(),
                                    layer + part[0] + " vs MLX's " + key + part[1]);
                        }
                        assertEquals(
                                Optional.of(new QuantizationSettings(gs, b, QuantizationMode.AFFINE)),
                                out.layerQuantization(layer));
                        assertEquals(b, q.get(layer).get("bits").asInt());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mxfp4", "mxfp8", "nvfp4"})
    void microscalingLayersHoldMlxsBytes(String mode) throws IOException {
        try (SafetensorsFile g = SafetensorsFile.open(SharedData.golden(mode + "_bfloat16_64x128.safetensors"))) {
            String key = g.names().stream()
                    .filter(n -> n.endsWith("/w_q"))
                    .findFirst()
                    .orElseThrow()
                    .replace("/w_q", "");
            Path in = model("in", Map.of("proj.weight", g.get("w")), "{}");
            Cli.Result r = Cli.run("convert", "-i", in, "-o", dir.resolve("out"), "--mode", mode);
            assertEquals(0, r.exitCode(), r.toString());
            try (ModelCheckpoint out = ModelCheckpoint.open(dir.resolve("out"))) {
                assertArrayEquals(
                        g.get(key + "/w_q").toBytes(), out.get("proj.weight").toBytes());
                assertArrayEquals(
                        g.get(key + "/scales").toBytes(), out.get("proj.scales").toBytes());
                assertFalse(out.contains("proj.biases"));
                assertEquals(mode, out.config().get("quantization").get("mode").asText());
            }
        }
    }

    /** A small transformer-like model: embeddings, two blocks, a head, norms and a bias; float16. */
    private static Map<String, Array> transformer() {
        Map<String, Array> t = new TreeMap<>();
        int seed = 10;
        t.put("model.embed_tokens.weight", RandomArrays.normal(seed++, 0.02f, DType.FLOAT16, 300, 256));
        for (int i = 0; i < 2; i++) {
            String p = "model.layers." + i + ".";
            t.put(p + "self_attn.q_proj.weight", RandomArrays.normal(seed++, 0.02f, DType.FLOAT16, 256, 256));
            t.put(p + "self_attn.q_proj.bias", RandomArrays.normal(seed++, 0.02f, DType.FLOAT16, 256));
            t.put(p + "mlp.down_proj.weight", RandomArrays.normal(seed++, 0.02f, DType.FLOAT16, 256, 96));
            t.put(p + "input_layernorm.weight", RandomArrays.normal(seed++, 1f, DType.FLOAT16, 256));
        }
        t.put("lm_head.weight", RandomArrays.normal(seed, 0.02f, DType.FLOAT16, 300, 256));
        return t;
    }

    @Test
    void aShardedModelWithRulesDtypeAndTheDivisibilityRule() throws IOException {
        Map<String, Array> tensors = transformer();
        Path in = model("in", tensors, "{\"model_type\": \"llama\", \"torch_dtype\": \"float16\", \"x\": [1, 2]}");
        Files.writeString(in.resolve("tokenizer.json"), "{\"vocab\": {}}");
        Path out = dir.resolve("out");
        Cli.Result r = Cli.run(
                "convert",
                "-i",
                in,
                "-o",
                out,
                "--bits",
                "3",
                "--group-size",
                "32",
                "--override",
                "lm_head=8",
                "--skip",
                "layers\\.1\\.self_attn",
                "--override",
                "self_attn=6",
                "--dtype",
                "bfloat16",
                "--shard-size",
                "100kB");
        assertEquals(0, r.exitCode(), r.toString());

        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            assertTrue(ckpt.files().size() > 3, "shards: " + ckpt.files());
            assertTrue(Files.exists(out.resolve("tokenizer.json")), "tokenizer carried along");
            JsonNode config = ckpt.config();
            assertEquals(JSON.readTree("[1, 2]"), config.get("x"), "unknown keys kept");
            JsonNode q = config.get("quantization");
            assertEquals(JSON.readTree("""
                    {"group_size": 32, "bits": 3, "mode": "affine",
                     "lm_head": {"group_size": 32, "bits": 8, "mode": "affine"},
                     "model.layers.0.self_attn.q_proj": {"group_size": 32, "bits": 6, "mode": "affine"},
                     "model.layers.1.self_attn.q_proj": false}"""), q, "first matching rule wins");
            assertEquals(q, config.get("quantization_config"));

            expectQuantized(ckpt, tensors, "model.embed_tokens", 32, 3);
            expectQuantized(ckpt, tensors, "model.layers.0.mlp.down_proj", 32, 3);
            expectQuantized(ckpt, tensors, "model.layers.0.self_attn.q_proj", 32, 6);
            expectQuantized(ckpt, tensors, "lm_head", 32, 8);
            for (String dense : List.of(
                    "model.layers.1.self_attn.q_proj.weight",
                    "model.layers.0.input_layernorm" + ".weight",
                    "model.layers.1.self_attn.q_proj.bias")) {
                assertEquals(DType.BFLOAT16, ckpt.info(dense).dtype(), dense);
                assertArrayEquals(
                        tensors.get(dense).astype(DType.BFLOAT16).toBytes(),
                        ckpt.get(dense).toBytes(),
                        dense);
            }
        }
        assertTrue(r.out().contains("lm_head"), r.out());
        assertTrue(r.out().matches("(?s).*total: 5 layers quantized .* 1 kept dense; .*MB/s of input.*"), r.out());
    }

    @Test
    void layersWhoseLastDimensionDoesNotDivideStayDenseWithANoteAndNoConfigEntry() throws IOException {
        Map<String, Array> tensors = transformer();
        Path in = model("in", tensors, "{}");
        Path out = dir.resolve("out");
        Cli.Result r = Cli.run("convert", "-i", in, "-o", out); // group size 64: down_proj's 96 does not divide
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("kept dense: last dimension 96 is not divisible by the group size 64"), r.out());
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            assertEquals(
                    JSON.readTree("{\"group_size\": 64, \"bits\": 4, \"mode\": \"affine\"}"),
                    ckpt.config().get("quantization"));
            assertFalse(ckpt.contains("model.layers.0.mlp.down_proj.scales"));
            assertArrayEquals(
                    tensors.get("model.layers.0.mlp.down_proj.weight").toBytes(),
                    ckpt.get("model.layers.0.mlp.down_proj.weight").toBytes());
            expectQuantized(ckpt, tensors, "model.layers.1.self_attn.q_proj", 64, 4);
        }
    }

    /** The layer holds exactly what {@code quantize} gives for the (bfloat16-cast, if so stored) source weight. */
    private static void expectQuantized(ModelCheckpoint ckpt, Map<String, Array> source, String layer, int g, int b) {
        DType type = ckpt.info(layer + ".scales").dtype();
        QuantizedParts q = Jmlx.quantize(source.get(layer + ".weight").astype(type), g, b);
        assertArrayEquals(q.packed().toBytes(), ckpt.get(layer + ".weight").toBytes(), layer);
        assertArrayEquals(q.scales().toBytes(), ckpt.get(layer + ".scales").toBytes(), layer);
        assertArrayEquals(q.biases().toBytes(), ckpt.get(layer + ".biases").toBytes(), layer);
        assertEquals(
                Optional.of(new QuantizationSettings(g, b, QuantizationMode.AFFINE)), ckpt.layerQuantization(layer));
    }

    @Test
    void theTinyStoriesModelConvertsAndInspects() throws IOException {
        Path in = SharedData.tinyStoriesModel().getParent();
        Path out = dir.resolve("tinystories-4bit");
        Cli.Result r = Cli.run("convert", "-i", in, "-o", out, "--group-size", "32");
        assertEquals(0, r.exitCode(), r.toString());
        try (ModelCheckpoint src = ModelCheckpoint.open(in);
                ModelCheckpoint q = ModelCheckpoint.open(out)) {
            for (String name : src.names()) {
                String layer = name.replace(".weight", "");
                int[] shape = src.info(name).shape();
                boolean matrix = name.endsWith(".weight") && shape.length == 2 && shape[1] % 32 == 0;
                assertEquals(matrix, q.contains(layer + ".scales"), name);
                if (!matrix) {
                    assertArrayEquals(src.get(name).toBytes(), q.get(name).toBytes(), name);
                }
            }
            assertEquals(src.config().get("vocab_size"), q.config().get("vocab_size"));
        }
        Cli.Result inspect = Cli.run("inspect", out);
        assertEquals(0, inspect.exitCode(), inspect.toString());
        assertTrue(
                inspect.out()
                        .lines()
                        .anyMatch(l -> l.matches("\\s*model\\.layers\\.4\\.mlp\\.up_proj\\.weight\\s+"
                                + "uint32\\s+\\(172,8\\)\\s+5,504 B")),
                inspect.out());
        assertTrue(inspect.out().contains("quantization: affine, group size 32, 4 bits"), inspect.out());
        assertTrue(inspect.out().contains("31 layers: affine, group size 32, 4 bits"), inspect.out());
        long layerLines = inspect.out()
                .lines()
                .filter(l -> l.matches(".*, group size 32, 4 bits\\s+global\\s+.*"))
                .count();
        long okLines = inspect.out()
                .lines()
                .filter(l -> l.matches(".*\\sglobal\\s+ok"))
                .count();
        assertEquals(31, layerLines, inspect.out());
        assertEquals(31, okLines, "every layer's shapes fit its settings:\n" + inspect.out());
    }

    @Test
    void refusals() throws IOException {
        Path in = model("in", transformer(), "{}");
        Path out = dir.resolve("out");
        assertUsage(Cli.run("convert", "-i", in, "-o", out, "--override", "lm_head"), "REGEX=BITS[:GROUP[:MODE]]");
        assertUsage(
                Cli.run("convert", "-i", in, "-o", out, "--override", "lm_head=7"),
                "The requested number of bits 7 is not supported");
        assertUsage(Cli.run("convert", "-i", in, "-o", out, "--skip", "(oops"), "not a valid regular expression");
        assertUsage(Cli.run("convert", "-i", in, "-o", out, "--shard-size", "lots"), "--shard-size must be");
        assertUsage(Cli.run("convert", "-i", in, "-o", out, "--dtype", "int8"), "--dtype must be");
        assertUsage(Cli.run("convert", "-i", in, "-o", in.resolve("sub")), "overlaps the input");
        assertFalse(Files.exists(out));

        assertEquals(0, Cli.run("convert", "-i", in, "-o", out).exitCode());
        assertUsage(Cli.run("convert", "-i", in, "-o", out), "already exists; add --force");
        assertEquals(
                0,
                Cli.run("convert", "-i", in, "-o", out, "--force", "--bits", "8")
                        .exitCode());

        Cli.Result again = Cli.run("convert", "-i", out, "-o", dir.resolve("twice"));
        assertEquals(JmlxCommand.EXIT_FAILED, again.exitCode(), again.toString());
        assertTrue(again.err().contains("already quantized"), again.err());
        assertEquals(List.of("in", "out"), Cli.listing(dir), "nothing else written");
    }

    private static void assertUsage(Cli.Result r, String part) {
        assertEquals(JmlxCommand.EXIT_USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains(part), "expected '" + part + "' in: " + r.err());
    }
}
