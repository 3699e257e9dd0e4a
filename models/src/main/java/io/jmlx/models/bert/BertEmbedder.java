package io.jmlx.models.bert;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.nn.ModelLoading;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Sentence embeddings with a {@link BertModel}: WordPiece ids, token states, the model's pooling (mean or
 * {@code [CLS]}) and L2 normalisation — the pipeline the sentence-transformers models define.
 *
 * <pre>{@code
 * try (ModelCheckpoint ckpt = ModelCheckpoint.open(EncoderModel.MINILM.onnxFile(cache))) {
 *     BertEmbedder e = BertEmbedder.load(EncoderModel.MINILM, ckpt);
 *     List<float[]> vectors = e.embed(List.of("Hello", "World"));
 * }
 * }</pre>
 */
public final class BertEmbedder implements SentenceEmbedder {
    private final EncoderModel kind;
    private final WordPieceTokenizer tokenizer;
    private final BertModel model;
    private final BertConfig config;

    /** An embedder for an already loaded {@code model}. */
    public BertEmbedder(EncoderModel kind, WordPieceTokenizer tokenizer, BertModel model, BertConfig config) {
        this.kind = kind;
        this.tokenizer = tokenizer;
        this.model = model;
        this.config = config;
    }

    /**
     * Builds the model and loads the checkpoint's weights into it (an ONNX file or an MLX-layout directory,
     * quantized or not; the exported {@code position_ids} buffer is left out). Keep the checkpoint open while the
     * embedder is used: the weights are views of its mapped files.
     */
    public static BertEmbedder load(EncoderModel kind, ModelCheckpoint checkpoint) throws IOException {
        WordPieceTokenizer tokenizer;
        try (InputStream in = kind.tokenizerJson()) {
            tokenizer = WordPieceTokenizer.read(in, kind.config().maxPositions());
        }
        return load(kind, checkpoint, tokenizer);
    }

    /** {@link #load(EncoderModel, ModelCheckpoint)} with a tokenizer already read (it is immutable; share it). */
    public static BertEmbedder load(EncoderModel kind, ModelCheckpoint checkpoint, WordPieceTokenizer tokenizer) {
        BertConfig config = kind.config();
        BertModel model = new BertModel(config);
        ModelLoading.load(checkpoint, model, name -> !name.endsWith("position_ids"));
        return new BertEmbedder(kind, tokenizer, model, config);
    }

    /** The model, e.g. to quantize it in place. */
    public BertModel model() {
        return model;
    }

    /** The tokenizer. */
    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int dimensions() {
        return config.hidden();
    }

    /** Sentences per batch in {@link #embed(List)}. */
    public static final int DEFAULT_BATCH = 32;

    /** {@link #embed(List, int)} in batches of {@link #DEFAULT_BATCH}. */
    @Override
    public List<float[]> embed(List<String> sentences) {
        return embed(sentences, DEFAULT_BATCH);
    }

    /**
     * One normalised vector per sentence, in order, computed {@code batchSize} sentences at a time: sentences of
     * similar length go together (sorted by token count, as sentence-transformers does), each batch padded to its
     * longest and the padding masked out of attention and pooling.
     */
    public List<float[]> embed(List<String> sentences, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1 but is " + batchSize);
        }
        int[][] ids = new int[sentences.size()][];
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(sentences.get(i));
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> ids[i].length));
        float[][] out = new float[ids.length][];
        for (int from = 0; from < ids.length; from += batchSize) {
            int size = Math.min(batchSize, ids.length - from);
            int length = ids[order[from + size - 1]].length;
            int[] batch = new int[size * length];
            float[] mask = new float[size * length];
            for (int b = 0; b < size; b++) {
                int[] sentence = ids[order[from + b]];
                System.arraycopy(sentence, 0, batch, b * length, sentence.length);
                java.util.Arrays.fill(mask, b * length, b * length + sentence.length, 1f);
            }
            float[] states = model.forward(
                            Array.of(batch, DType.INT32, size, length), Array.of(mask, DType.FLOAT32, size, length))
                    .astype(DType.FLOAT32)
                    .toFloatArray();
            for (int b = 0; b < size; b++) {
                int sentence = order[from + b];
                out[sentence] = pool(states, b * length, ids[sentence].length);
            }
        }
        return java.util.Arrays.asList(out);
    }

    /** The normalised embedding of one sentence's token ids. */
    public float[] embedIds(int[] ids) {
        float[] states = model.forward(Array.of(ids, DType.INT32, ids.length))
                .astype(DType.FLOAT32)
                .toFloatArray();
        return pool(states, 0, ids.length);
    }

    /** The model's pooling of the {@code tokens} states from row {@code from} of {@code states}, normalised. */
    private float[] pool(float[] states, int from, int tokens) {
        int d = config.hidden();
        float[] pooled = new float[d];
        if (kind.pooling() == EncoderModel.Pooling.CLS) {
            System.arraycopy(states, from * d, pooled, 0, d);
        } else {
            for (int t = from; t < from + tokens; t++) {
                for (int j = 0; j < d; j++) {
                    pooled[j] += states[t * d + j];
                }
            }
            for (int j = 0; j < d; j++) {
                pooled[j] /= tokens;
            }
        }
        return Vectors.normalize(pooled);
    }
}
