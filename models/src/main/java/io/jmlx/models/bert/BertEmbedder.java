package io.jmlx.models.bert;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.nn.ModelLoading;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
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

    @Override
    public List<float[]> embed(List<String> sentences) {
        List<float[]> out = new ArrayList<>(sentences.size());
        for (String s : sentences) {
            out.add(embedIds(tokenizer.encode(s)));
        }
        return out;
    }

    /** The normalised embedding of one sentence's token ids. */
    public float[] embedIds(int[] ids) {
        float[] states = model.forward(Array.of(ids, DType.INT32, ids.length))
                .astype(DType.FLOAT32)
                .toFloatArray();
        int d = config.hidden();
        float[] pooled = new float[d];
        if (kind.pooling() == EncoderModel.Pooling.CLS) {
            System.arraycopy(states, 0, pooled, 0, d);
        } else {
            for (int t = 0; t < ids.length; t++) {
                for (int j = 0; j < d; j++) {
                    pooled[j] += states[t * d + j];
                }
            }
            for (int j = 0; j < d; j++) {
                pooled[j] /= ids.length;
            }
        }
        return Vectors.normalize(pooled);
    }
}
