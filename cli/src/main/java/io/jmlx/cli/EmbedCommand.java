package io.jmlx.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertEmbedder;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.models.bert.Vectors;
import io.jmlx.models.bert.WordPieceTokenizer;
import io.jmlx.stream.Stream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jmlx embed}: sentence embeddings from one of the BERT encoders jmlx knows (all-MiniLM-L6-v2, BGE small en
 * v1.5), as an ONNX file or a model directory written by {@code jmlx convert} (dense or quantized), with its
 * WordPiece {@code tokenizer.json}. Prints the vectors, or with {@code --similarity} their cosine matrix, as JSON or
 * TSV. The vectors are exactly those of {@link BertEmbedder#embed}.
 */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        header = "Embed sentences with a BERT encoder (an ONNX file or a converted model directory).",
        versionProvider = JmlxCommand.Version.class,
        description = {
            "Loads a sentence encoder that jmlx knows (all-MiniLM-L6-v2: mean pooling; BGE small en v1.5: [CLS] "
                    + "pooling; recognised by its number of layers, or named with --encoder) from an ONNX file or a "
                    + "model directory written by jmlx convert (dense or quantized), and its WordPiece tokenizer "
                    + "(--tokenizer, else tokenizer.json in the directory or beside the ONNX file, or NAME-tokenizer"
                    + ".json beside NAME.onnx). Embeds each --text, or each non-blank line of --input, in batches, and "
                    + "prints the L2-normalised vectors or, with --similarity, their cosine matrix.",
            "",
            "json: {\"model\", \"encoder\", \"dimensions\", \"texts\", and \"embeddings\" (one array per text) or "
                    + "\"similarity\" (rows of cosines)}. tsv: one line per text, its numbers separated by tabs "
                    + "(the vector, or its row of the matrix)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx embed --model minilm-4bit --text 'A cat sleeps.' --text 'A dog runs.'",
            "  jmlx embed --model all-minilm-l6-v2.onnx --input sentences.txt --format tsv > vectors.tsv",
            "  jmlx embed --model minilm-4bit --input sentences.txt --similarity"
        })
public final class EmbedCommand extends JmlxSubcommand {
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    @Option(
            names = {"-m", "--model"},
            required = true,
            paramLabel = "PATH",
            description = "The encoder: an ONNX file (*.onnx) or a model directory written by jmlx convert.")
    Path model;

    @Option(
            names = "--text",
            paramLabel = "TEXT",
            description = "A sentence to embed (repeatable; in this order, before those of --input).")
    List<String> texts = new ArrayList<>();

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description = "A text file with one sentence a line (blank lines are skipped); - reads standard input.")
    Path input;

    @Option(
            names = "--format",
            defaultValue = "json",
            paramLabel = "FORMAT",
            description = "json or tsv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--similarity", description = "Print the cosine similarity of every pair instead of the vectors.")
    boolean similarity;

    @Option(
            names = "--encoder",
            paramLabel = "NAME",
            description = "all-minilm-l6-v2 or bge-small-en-v1.5 (default: the one whose number of layers the "
                    + "weights have).")
    String encoder;

    @Option(
            names = "--tokenizer",
            paramLabel = "FILE",
            description = "The encoder's tokenizer.json (default: found beside the model, see above).")
    Path tokenizerFile;

    @Option(
            names = "--batch-size",
            defaultValue = "32",
            paramLabel = "N",
            description = "Sentences embedded per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    DeviceOption device;

    @Override
    int execute(PrintWriter out) throws IOException {
        boolean json = switch (format.toLowerCase(Locale.ROOT)) {
            case "json" -> true;
            case "tsv" -> false;
            default -> throw CommandFailure.usage("--format must be json or tsv, not '" + format + "'");
        };
        if (batchSize < 1) {
            throw CommandFailure.usage("--batch-size must be 1 or more but is " + batchSize);
        }
        List<String> sentences = sentences();
        if (sentences.isEmpty()) {
            throw CommandFailure.usage("nothing to embed: give --text TEXT or --input FILE");
        }
        requireExisting(model);
        try (Stream.Scope scope = device.use();
                ModelCheckpoint checkpoint = ModelCheckpoint.open(model)) {
            EncoderModel kind = encoder(checkpoint);
            BertEmbedder embedder = load(kind, checkpoint);
            List<float[]> vectors = new ArrayList<>(sentences.size());
            for (int i = 0; i < sentences.size(); i += batchSize) {
                vectors.addAll(embedder.embed(sentences.subList(i, Math.min(sentences.size(), i + batchSize))));
            }
            List<float[]> rows = similarity ? cosines(vectors) : vectors;
            if (json) {
                printJson(out, kind, embedder.dimensions(), sentences, rows);
            } else {
                for (float[] row : rows) {
                    StringBuilder line = new StringBuilder();
                    for (int j = 0; j < row.length; j++) {
                        line.append(j == 0 ? "" : "\t").append(row[j]);
                    }
                    out.println(line);
                }
            }
            return JmlxCommand.EXIT_OK;
        }
    }

    private BertEmbedder load(EncoderModel kind, ModelCheckpoint checkpoint) throws IOException {
        WordPieceTokenizer tokenizer = tokenizer(kind);
        try {
            return BertEmbedder.load(kind, checkpoint, tokenizer);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("cannot load " + model + " as " + kind.id() + ": " + e.getMessage(), e);
        }
    }

    /** The {@code --text} sentences, then the non-blank lines of {@code --input}. */
    private List<String> sentences() throws IOException {
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            boolean stdin = input.toString().equals("-");
            if (!stdin) {
                requireExisting(input);
            }
            try (InputStream in = stdin ? System.in : Files.newInputStream(input);
                    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                lines.lines().filter(l -> !l.isBlank()).forEach(all::add);
            }
        }
        return all;
    }

    /** The encoder named by {@code --encoder}, else the known one with as many layers as the weights. */
    private EncoderModel encoder(ModelCheckpoint checkpoint) {
        int layers = 0;
        for (String name : checkpoint.names()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (encoder != null) {
            for (EncoderModel e : EncoderModel.values()) {
                if (e.id().equals(encoder.toLowerCase(Locale.ROOT))) {
                    return e;
                }
            }
            throw CommandFailure.usage("--encoder must be one of " + names() + ", not '" + encoder + "'");
        }
        if (!checkpoint.contains("embeddings.word_embeddings.weight")) {
            throw CommandFailure.failed(
                    model + " is not a BERT encoder: it has no embeddings.word_embeddings.weight", null);
        }
        for (EncoderModel e : EncoderModel.values()) {
            if (e.config().layers() == layers) {
                return e;
            }
        }
        throw CommandFailure.failed(
                model + " has " + layers + " encoder layers, which matches none of the encoders jmlx knows (" + names()
                        + "); name one with --encoder",
                null);
    }

    private static String names() {
        return String.join(
                ", ",
                Arrays.stream(EncoderModel.values())
                        .map(e -> e.id() + " (" + e.config().layers() + " layers)")
                        .toList());
    }

    /** {@code --tokenizer}, else a tokenizer.json beside the model, else the encoder's own from the class path. */
    private WordPieceTokenizer tokenizer(EncoderModel kind) throws IOException {
        Path file = tokenizerFile;
        if (file == null) {
            Path dir = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
            String stem = model.getFileName().toString().replaceFirst("\\.onnx$", "");
            for (Path candidate : List.of(dir.resolve("tokenizer.json"), dir.resolve(stem + "-tokenizer.json"))) {
                if (Files.isRegularFile(candidate)) {
                    file = candidate;
                    break;
                }
            }
        }
        int positions = kind.config().maxPositions();
        if (file == null) {
            try (InputStream in = kind.tokenizerJson()) {
                return WordPieceTokenizer.read(in, positions);
            } catch (IllegalStateException e) {
                throw CommandFailure.failed(
                        "no tokenizer.json beside " + model + "; give the encoder's with --tokenizer FILE", e);
            }
        }
        requireExisting(file);
        try (InputStream in = Files.newInputStream(file)) {
            return WordPieceTokenizer.read(in, positions);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed(file + ": " + e.getMessage(), e);
        }
    }

    /** Row {@code i}: the cosines of vector {@code i} with every vector. */
    private static List<float[]> cosines(List<float[]> vectors) {
        List<float[]> rows = new ArrayList<>(vectors.size());
        for (float[] a : vectors) {
            float[] row = new float[vectors.size()];
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) Vectors.cosine(a, vectors.get(j));
            }
            rows.add(row);
        }
        return rows;
    }

    private void printJson(
            PrintWriter out, EncoderModel kind, int dimensions, List<String> sentences, List<float[]> rows)
            throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode()
                .put("model", model.toString())
                .put("encoder", kind.id())
                .put("dimensions", dimensions);
        ArrayNode textArray = root.putArray("texts");
        sentences.forEach(textArray::add);
        ArrayNode matrix = root.putArray(similarity ? "similarity" : "embeddings");
        for (float[] row : rows) {
            ArrayNode a = matrix.addArray();
            for (float v : row) {
                a.add(v);
            }
        }
        out.println(mapper.writeValueAsString(root));
    }
}
