package io.jmlx.models.bert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Known sentence encoders, as shipped in Maven Central jars (ONNX model and Hugging Face tokenizer
 * as class-path resources): all-MiniLM-L6-v2 (mean pooling) and BGE small en v1.5 ({@code [CLS]} pooling). Both
 * are L2-normalised.
 */
public enum EncoderModel {
    /** sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 dims, mean pooling. */
    MINILM("all-minilm-l6-v2", Pooling.MEAN, new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f)),
    /** BAAI/bge-small-en-v1.5: 12 layers, 384 dims, [CLS] pooling. */
    BGE_SMALL("bge-small-en-v1.5", Pooling.CLS, new BertConfig(30522, 384, 12, 12, 1536, 512, 2, 1e-12f));

    /** How token states become one sentence vector. */
    public enum Pooling {
        /** The mean of the token states, padding excluded. */
        MEAN,
        /** The state of the first token, {@code [CLS]}. */
        CLS
    }

    private final String resource;
    private final Pooling pooling;
    private final BertConfig config;

    EncoderModel(String resource, Pooling pooling, BertConfig config) {
        this.resource = resource;
        this.pooling = pooling;
        this.config = config;
    }

    /** The model's short name, e.g. {@code all-minilm-l6-v2} (its class-path resources start with it). */
    public String id() {
        return resource;
    }

    /** The model's sizes. */
    public BertConfig config() {
        return config;
    }

    /** How this model pools. */
    public Pooling pooling() {
        return pooling;
    }

    /** The tokenizer.json, from the class path. */
    public InputStream tokenizerJson() {
        return open(resource + "-tokenizer.json");
    }

    /**
     * The ONNX model as a file (copied once from the class path into {@code cacheDir}, since ONNX files are
     * memory-mapped and a jar entry cannot be).
     */
    public Path onnxFile(Path cacheDir) {
        Path file = cacheDir.resolve(resource + ".onnx");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(cacheDir);
                Path temp = Files.createTempFile(cacheDir, "." + resource, ".tmp");
                try (InputStream in = open(resource + ".onnx")) {
                    Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resource + ".onnx to " + cacheDir, e);
        }
    }

    private InputStream open(String name) {
        InputStream in = EncoderModel.class.getResourceAsStream("/" + name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the class path: add the Maven Central artifact "
                    + "dev.langchain4j:langchain4j-embeddings-"
                    + (this == MINILM ? "all-minilm-l6-v2" : "bge-small-en-v15"));
        }
        return in;
    }
}
