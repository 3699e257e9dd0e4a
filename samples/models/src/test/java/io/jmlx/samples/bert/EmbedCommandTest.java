package io.jmlx.samples.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.cli.JmlxCommand;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertEmbedder;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.models.bert.Vectors;
import io.jmlx.samples.Sentences;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jmlx embed} prints exactly the vectors of the encoder library ({@link BertEmbedder#embed}) for both encoders
 * from their ONNX files (the encoder recognised by its layers, the tokenizer found beside the file), and for MiniLM
 * converted to 4 bits by {@code jmlx convert}; as JSON and as TSV, over several batches; {@code --similarity} prints
 * their cosines.
 */
class EmbedCommandTest {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) {}

    private static Result jmlx(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JmlxCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(java.util.Arrays.stream(args).map(String::valueOf).toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /** 40 built-in sentences (one line each), the first two given with --text, the rest in a file. */
    private static List<String> sentences() {
        return Sentences.all().stream()
                .filter(s -> !s.isBlank() && !s.contains("\n") && !s.contains("\r"))
                .limit(40)
                .toList();
    }

    private Path inputFile(List<String> sentences) throws IOException {
        return Files.write(dir.resolve("sentences.txt"), sentences.subList(2, sentences.size()));
    }

    private static void copyTokenizer(EncoderModel kind, Path to) throws IOException {
        try (InputStream in = kind.tokenizerJson()) {
            Files.copy(in, to);
        }
    }

    private static List<float[]> library(EncoderModel kind, Path model, List<String> sentences) throws IOException {
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(model)) {
            return BertEmbedder.load(kind, ckpt).embed(sentences);
        }
    }

    private static List<float[]> jsonRows(String out, String key) throws IOException {
        List<float[]> rows = new ArrayList<>();
        for (JsonNode row : JSON.readTree(out).path(key)) {
            float[] v = new float[row.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = Float.parseFloat(row.get(i).decimalValue().toString());
            }
            rows.add(v);
        }
        return rows;
    }

    private static void assertSameVectors(List<float[]> expected, List<float[]> actual, List<String> sentences) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), sentences.get(i));
        }
    }

    @Test
    void bothOnnxEncodersGiveTheLibrarysVectorsAsJson() throws IOException {
        List<String> sentences = sentences();
        Path input = inputFile(sentences);
        for (EncoderModel kind : EncoderModel.values()) {
            Path folder = Files.createDirectories(dir.resolve(kind.id()));
            Path onnx = kind.onnxFile(folder);
            if (kind == EncoderModel.MINILM) {
                copyTokenizer(kind, folder.resolve(kind.id() + "-tokenizer.json"));
            } else {
                copyTokenizer(kind, folder.resolve("tokenizer.json"));
            }
            Result r = jmlx(
                    "embed",
                    "--model",
                    onnx,
                    "--text",
                    sentences.get(0),
                    "--text",
                    sentences.get(1),
                    "--input",
                    input,
                    "--batch-size",
                    7);
            assertEquals(0, r.exitCode(), r.err());
            JsonNode json = JSON.readTree(r.out());
            assertEquals(kind.id(), json.path("encoder").asText());
            assertEquals(384, json.path("dimensions").asInt());
            assertEquals(sentences.get(39), json.path("texts").get(39).asText());
            assertSameVectors(library(kind, onnx, sentences), jsonRows(r.out(), "embeddings"), sentences);
        }
    }

    @Test
    void aConverted4BitModelGivesTheLibrarysVectorsAsTsvAndTheirCosines() throws IOException {
        List<String> sentences = sentences();
        Path input = inputFile(sentences);
        Path onnx = EncoderModel.MINILM.onnxFile(dir);
        Path converted = dir.resolve("minilm-4bit");
        assertEquals(0, jmlx("convert", "-i", onnx, "-o", converted).exitCode());
        copyTokenizer(EncoderModel.MINILM, converted.resolve("tokenizer.json"));
        List<float[]> expected = library(EncoderModel.MINILM, converted, sentences);
        Object[] texts = {"--text", sentences.get(0), "--text", sentences.get(1), "--input", input};

        Result tsv = jmlx(concat(new Object[] {"embed", "-m", converted, "--format", "tsv"}, texts));
        assertEquals(0, tsv.exitCode(), tsv.err());
        List<float[]> rows = new ArrayList<>();
        for (String line : tsv.out().lines().toList()) {
            String[] cells = line.split("\t");
            float[] v = new float[cells.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = Float.parseFloat(cells[i]);
            }
            rows.add(v);
        }
        assertSameVectors(expected, rows, sentences);

        Result sim = jmlx(concat(new Object[] {"embed", "-m", converted, "--similarity"}, texts));
        assertEquals(0, sim.exitCode(), sim.err());
        List<float[]> matrix = jsonRows(sim.out(), "similarity");
        assertEquals(sentences.size(), matrix.size());
        for (int i = 0; i < matrix.size(); i++) {
            for (int j = 0; j < matrix.size(); j++) {
                assertEquals((float) Vectors.cosine(expected.get(i), expected.get(j)), matrix.get(i)[j]);
            }
            assertEquals(1f, matrix.get(i)[i], 1e-6f);
        }
    }

    @Test
    void whatCannotBeEmbeddedIsRefusedWithOneLine() throws IOException {
        Path onnx = EncoderModel.MINILM.onnxFile(dir);
        Result none = jmlx("embed", "-m", onnx);
        assertEquals(2, none.exitCode());
        assertEquals("jmlx embed: nothing to embed: give --text TEXT or --input FILE\n", none.err());
        Result format = jmlx("embed", "-m", onnx, "--text", "x", "--format", "xml");
        assertEquals(2, format.exitCode());
        assertEquals("jmlx embed: --format must be json or tsv, not 'xml'\n", format.err());
        Result encoder = jmlx("embed", "-m", onnx, "--text", "x", "--encoder", "bert-base");
        assertEquals(2, encoder.exitCode());
        assertTrue(encoder.err().startsWith("jmlx embed: --encoder must be one of all-minilm-l6-v2 (6 layers)"));
        Result missing = jmlx("embed", "-m", dir.resolve("nope.onnx"), "--text", "x");
        assertEquals(1, missing.exitCode());
        assertEquals("jmlx embed: input not found: " + dir.resolve("nope.onnx") + "\n", missing.err());
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
