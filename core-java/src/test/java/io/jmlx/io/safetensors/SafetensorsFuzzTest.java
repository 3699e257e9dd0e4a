package io.jmlx.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jmlx.Array;
import io.jmlx.io.TensorInfo;
import io.jmlx.testing.FuzzFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Jazzer on {@link SafetensorsFile}: any bytes either open as a file whose every tensor reads back within the
 * data buffer, or are refused with a {@link SafetensorsFormatException} that says why. Anything else (another
 * exception, an {@link OutOfMemoryError} from a length, a hang) is a finding.
 *
 * <p>Seeds ({@code SafetensorsFuzzTestInputs/}): files written by {@link SafetensorsWriter} (every dtype, empty and
 * scalar tensors, metadata). Regression mode runs them in every test run; with
 * {@code JAZZER_FUZZ=1} the test fuzzes (see the README).
 */
class SafetensorsFuzzTest {
    private static final Path FILE = FuzzFiles.scratch("fuzz.safetensors");

    @FuzzTest
    void opensOrSaysWhy(byte[] bytes) throws IOException {
        FuzzFiles.write(FILE, bytes);
        try (SafetensorsFile f = SafetensorsFile.open(FILE)) {
            long end = 0;
            for (String name : f.names()) {
                TensorInfo t = f.info(name);
                assertTrue(t.begin() >= end || t.byteSize() == 0, "data order: " + name);
                end = Math.max(end, t.end());
                Array a = f.get(name);
                assertEquals(t.byteSize(), a.nbytes());
                assertArrayEquals(t.shape(), a.shape());
                assertEquals(t.byteSize(), a.toBytes().length);
            }
            assertTrue(8 + end <= bytes.length, "every tensor lies inside the file");
            assertFalse(f.names().contains(SafetensorsFile.METADATA_KEY));
        } catch (SafetensorsFormatException refused) {
            FuzzFiles.assertExplains(refused);
        }
    }
}
