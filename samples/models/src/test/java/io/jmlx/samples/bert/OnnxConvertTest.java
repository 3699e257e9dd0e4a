package io.jmlx.samples.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.cli.JmlxCommand;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.bert.BertEmbedder;
import io.jmlx.models.bert.EncoderModel;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.samples.Sentences;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jmlx convert --input all-minilm-l6-v2.onnx} writes an MLX-layout checkpoint that loads into the BERT model
 * and embeds exactly as the same model quantized in memory from the ONNX weights.
 */
class OnnxConvertTest {
    @TempDir
    Path dir;

    @Test
    void theConvertedOnnxModelEmbedsLikeTheInMemoryQuantization() throws Exception {
        Path onnx = EncoderModel.MINILM.onnxFile(dir);
        Path out = dir.resolve("minilm-4bit");
        int exit = new CommandLine(new JmlxCommand()).execute("convert", "-i", onnx.toString(), "-o", out.toString());
        assertEquals(0, exit);
        List<String> sentences = Sentences.all().subList(0, 20);
        try (ModelCheckpoint converted = ModelCheckpoint.open(out);
                ModelCheckpoint source = ModelCheckpoint.open(onnx)) {
            assertTrue(converted.contains("encoder.layer.0.attention.self.query.scales"));
            BertEmbedder loaded = BertEmbedder.load(EncoderModel.MINILM, converted);
            BertEmbedder inMemory = BertEmbedder.load(EncoderModel.MINILM, source);
            QualitySweep.quantize(inMemory, QuantizationSettings.resolve(64, 4, "affine"));
            List<float[]> a = loaded.embed(sentences);
            List<float[]> b = inMemory.embed(sentences);
            for (int i = 0; i < sentences.size(); i++) {
                assertArrayEquals(b.get(i), a.get(i), sentences.get(i));
            }
        }
    }
}
