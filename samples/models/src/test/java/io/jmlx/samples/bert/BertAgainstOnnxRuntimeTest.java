package io.jmlx.samples.bert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertEmbedder;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.models.bert.Vectors;
import io.jmlx.samples.Sentences;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * jmlx's BERT, with the weights imported from the ONNX file, gives the sentence embeddings ONNX Runtime computes
 * from that same file: cosine ≥ 0.99999 for every built-in sentence (accents, CJK, emoji, inputs truncated to the
 * model's length), for both encoders.
 */
class BertAgainstOnnxRuntimeTest {
    @TempDir
    static Path cache;

    @ParameterizedTest
    @EnumSource(EncoderModel.class)
    void float32EmbeddingsMatchOnnxRuntime(EncoderModel kind) throws Exception {
        Path onnx = kind.onnxFile(cache);
        List<String> sentences = Sentences.all();
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(onnx);
                OnnxRuntimeEncoder reference = new OnnxRuntimeEncoder(kind, onnx)) {
            BertEmbedder jmlx = BertEmbedder.load(kind, ckpt);
            double worst = 1;
            String worstSentence = null;
            for (String s : sentences) {
                int[] ids = jmlx.tokenizer().encode(s);
                double c = Vectors.cosine(jmlx.embedIds(ids), reference.embed(ids));
                if (c < worst) {
                    worst = c;
                    worstSentence = s;
                }
            }
            System.out.printf(
                    "%s: worst cosine to ONNX Runtime over %d sentences: %.8f%n", kind, sentences.size(), worst);
            assertTrue(worst >= 0.99999, kind + ": cosine " + worst + " for '" + worstSentence + "'");
        }
    }
}
