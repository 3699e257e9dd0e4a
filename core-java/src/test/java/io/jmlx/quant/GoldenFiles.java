package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Access to MLX's golden vectors ({@code shared/golden}) for the conformance suites: the manifest, the
 * safetensors files (opened once), byte-exact comparison and the checked comparison of matmul outputs.
 */
final class GoldenFiles {
    private static final Map<String, SafetensorsFile> FILES = new HashMap<>();

    private GoldenFiles() {}

    /** Unmaps every file opened so far. */
    static synchronized void closeAll() {
        FILES.values().forEach(SafetensorsFile::close);
        FILES.clear();
    }

    static JsonNode manifest() throws IOException {
        return new ObjectMapper().readTree(SharedData.goldenManifest().toFile());
    }

    static synchronized SafetensorsFile file(String name) {
        return FILES.computeIfAbsent(name, n -> {
            try {
                return SafetensorsFile.open(SharedData.golden(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The tensor of output {@code key} of a case. */
    static Array output(JsonNode c, String key) {
        return file(c.get("file").asText())
                .get(c.get("outputs").get(key).get("name").asText());
    }

    /** An input tensor of a case's file. */
    static Array input(JsonNode c, String name) {
        return file(c.get("file").asText()).get(name);
    }

    static void assertBytesEqual(Array expected, Array actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
        byte[] e = expected.toBytes();
        byte[] a = actual.toBytes();
        assertTrue(e.length > 0, what + " is empty");
        if (!Arrays.equals(e, a)) {
            int i = Arrays.mismatch(e, a);
            fail(what + " differs from MLX first at element "
                    + i / expected.dtype().byteSize() + " of " + expected.size());
        }
    }

    /** Unit roundoff of a floating type. */
    static double unitRoundoff(DType t) {
        return switch (t) {
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            default -> 0x1p-24;
        };
    }

    /**
     * Checks a matmul output of shape {@code [batches..., m, n]} against MLX's: (1) MLX's values equal
     * {@code emulation.apply(batch)} bit for bit, pinning what MLX computed; (2) jmlx's are within
     * {@code c · u_T · magnitude} of MLX's, where {@code c} is {@code 2(K+2)} for float32 (a worst-case bound for
     * any summation order) and {@code 4√K + 1} for the half types (a statistical bound on MLX's running half
     * sums), and {@code magnitude} is the sum of the magnitudes the computation involves (e.g. {@code Σ|x·ŵ|}). Outputs MLX overflowed are skipped; their count is returned.
     */
    static int checkProduct(
            Array expectedArray,
            Array actualArray,
            int k,
            IntFunction<float[]> emulation,
            IntFunction<double[]> magnitudes) {
        assertArrayEquals(expectedArray.shape(), actualArray.shape(), "output shape");
        DType t = expectedArray.dtype();
        assertEquals(t, actualArray.dtype(), "output dtype");
        float[] expected = expectedArray.toFloatArray();
        float[] actual = actualArray.toFloatArray();
        int perBatch = expectedArray.dim(-2) * expectedArray.dim(-1);
        double c = t == DType.FLOAT32 ? 2.0 * (k + 2) : 4 * Math.sqrt(k) + 1;
        double u = unitRoundoff(t);
        int nonFinite = 0;
        for (int b = 0; b < expected.length / perBatch; b++) {
            float[] emulated = emulation.apply(b);
            double[] magnitude = magnitudes.apply(b);
            for (int i = 0; i < perBatch; i++) {
                float e = expected[b * perBatch + i];
                if (!Float.isFinite(e)) {
                    nonFinite++;
                    continue;
                }
                if (Float.floatToIntBits(emulated[i]) != Float.floatToIntBits(e)) {
                    fail("MLX's output " + i + " of batch " + b + " is " + e
                            + " but the emulation of its CPU kernel gives " + emulated[i]);
                }
                float a = actual[b * perBatch + i];
                double bound = c * u * magnitude[i];
                if (!(Math.abs(a - e) <= bound)) {
                    fail("output " + i + " of batch " + b + ": jmlx " + a + ", MLX " + e + ", |diff| " + Math.abs(a - e)
                            + " > bound " + bound + " (magnitude " + magnitude[i] + ")");
                }
            }
        }
        return nonFinite;
    }
}
