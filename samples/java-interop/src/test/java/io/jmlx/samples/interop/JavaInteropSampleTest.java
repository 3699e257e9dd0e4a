package io.jmlx.samples.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain-Java sample runs without Kotlin and gets the same scores back from its saved model. */
class JavaInteropSampleTest {
    @TempDir
    Path dir;

    @Test
    void buildsQuantizesSavesReloadsAndRunsWithoutKotlin() throws IOException {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("kotlin.Unit"), "no Kotlin on the class path");
        JavaInteropSample.Report r = JavaInteropSample.run(dir.resolve("model"));
        assertEquals(
                Map.of(
                        "embed", new QuantizationSettings(64, 4, QuantizationMode.AFFINE),
                        "hidden", new QuantizationSettings(64, 4, QuantizationMode.AFFINE),
                        "head", new QuantizationSettings(32, 8, QuantizationMode.AFFINE)),
                r.quantization().layers());
        assertTrue(r.quantizedBytes() * 4 < r.denseBytes(), r.denseBytes() + " -> " + r.quantizedBytes());
        assertEquals(10, r.before().length);
        assertArrayEquals(r.before(), r.after(), "the reloaded model computes the same scores");
        assertTrue(Files.exists(dir.resolve("model/config.json")));
    }
}
