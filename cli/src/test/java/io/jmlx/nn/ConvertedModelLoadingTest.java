package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model converted by {@code jmlx convert} loads ({@link ModelLoading}) into the same layers, with the same outputs,
 * as the same model quantized in memory with the same rules ({@link ModelFilesTest#quantize}). It lives with the
 * command line, which the core's tests cannot see; it uses the core's test models.
 */
class ConvertedModelLoadingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Array TOKENS = Array.of(new int[] {3, 14, 15, 92, 65}, DType.INT32, 5);

    @TempDir
    Path dir;

    @Test
    void aModelConvertedByTheCommandLineLoadsLikeTheSameQuantizationInMemory() throws IOException {
        TestModules.CausalLm dense = new TestModules.CausalLm(100, 128, 96, 2);
        Path in = dir.resolve("dense");
        ModelSaving.save(dense, ModelFilesTest.config(), null, CheckpointWriter.to(in));
        assertTrue(!Files.readString(in.resolve("config.json")).contains("quantization"), "dense: no entry");
        Path out = dir.resolve("converted");
        int exit = new picocli.CommandLine(new io.jmlx.cli.JmlxCommand())
                .execute(
                        "convert",
                        "-i",
                        in.toString(),
                        "-o",
                        out.toString(),
                        "--override",
                        "^lm_head$=8:32",
                        "--skip",
                        "down_proj");
        assertEquals(0, exit);

        ModelFilesTest.quantize(dense);
        TestModules.CausalLm loaded = new TestModules.CausalLm(100, 128, 96, 2);
        try (ModelCheckpoint ckpt = ModelCheckpoint.open(out)) {
            ModelLoading.load(ckpt, loaded);
            assertArrayEquals(
                    dense.forward(TOKENS).toFloatArray(), loaded.forward(TOKENS).toFloatArray());
        }
    }
}
