package io.jmlx.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmlx.Array;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.testing.FuzzFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Jazzer on the ONNX reader as {@code jmlx convert} uses it ({@link ModelCheckpoint#open} on a {@code .onnx} file:
 * {@link OnnxFile}, {@link OnnxWeights}, {@link OnnxTensors}): any bytes either give weights that all read back,
 * or are refused with an {@link OnnxFormatException} that says why. Anything else (another exception, an
 * {@link OutOfMemoryError} from a length, a hang) is a finding.
 *
 * <p>Seeds ({@code OnnxFuzzTestInputs/}): small ONNX models encoded field by field: raw and typed initializers
 * (packed and not), an anonymous MatMul weight named from its node, graph inputs and outputs.
 */
class OnnxFuzzTest {
    private static final Path FILE = FuzzFiles.scratch("fuzz.onnx");

    @FuzzTest
    void readsOrSaysWhy(byte[] bytes) throws IOException {
        FuzzFiles.write(FILE, bytes);
        try (ModelCheckpoint model = ModelCheckpoint.open(FILE)) {
            for (String name : model.names()) {
                Array a = model.get(name);
                assertEquals(model.info(name).byteSize(), a.toBytes().length, name);
            }
        } catch (OnnxFormatException refused) {
            FuzzFiles.assertExplains(refused);
        }
    }
}
