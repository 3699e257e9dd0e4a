package io.jmlx.samples.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertEmbedder;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.models.bert.Vectors;
import io.jmlx.samples.Sentences;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * jmlx's BERT, with the weights imported from the ONNX file, gives the sentence embeddings ONNX Runtime computes
 * from that same file: cosine ≥ 0.99999 for every built-in sentence (accents, CJK, emoji, inputs truncated to the
 * model's length), for both encoders. An embedding with NaN in it counts as the worst and fails.
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
            List<float[]> mine = new ArrayList<>();
            List<float[]> theirs = new ArrayList<>();
            for (String s : sentences) {
                int[] ids = jmlx.tokenizer().encode(s);
                mine.add(jmlx.embedIds(ids));
                theirs.add(reference.embed(ids));
            }
            Worst worst = worst(mine, theirs);
            System.out.printf(
                    "%s: worst cosine to ONNX Runtime over %d sentences: %.8f%n",
                    kind, sentences.size(), worst.cosine());
            assertTrue(
                    worst.cosine() >= 0.99999,
                    kind + ": cosine " + worst.cosine() + " for '" + sentences.get(worst.index()) + "'");
        }
    }

    /** The lowest cosine of a pair and its index; a NaN (an embedding with NaN in it) is the lowest of all. */
    record Worst(int index, double cosine) {}

    static Worst worst(List<float[]> a, List<float[]> b) {
        Worst worst = new Worst(-1, 1);
        for (int i = 0; i < a.size(); i++) {
            double c = Vectors.cosine(a.get(i), b.get(i));
            if (Double.isNaN(worst.cosine())) {
                break;
            }
            if (!(c >= worst.cosine())) { // NaN included
                worst = new Worst(i, c);
            }
        }
        return worst;
    }

    @Test
    void anEmbeddingWithNanIsTheWorstAndFailsTheThreshold() {
        List<float[]> reference = List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 1});
        List<float[]> withNan = List.of(new float[] {1, 0}, new float[] {Float.NaN, 1}, new float[] {1, 0.9f});
        Worst worst = worst(withNan, reference);
        assertEquals(1, worst.index());
        assertFalse(worst.cosine() >= 0.99999, "NaN must not pass: " + worst);
        assertEquals(
                2,
                worst(List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 0.9f}), reference)
                        .index());
    }
}
