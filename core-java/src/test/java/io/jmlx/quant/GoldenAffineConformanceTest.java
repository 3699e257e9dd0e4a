package io.jmlx.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.SafetensorsFile;
import io.jmlx.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every affine case of MLX's golden vectors ({@code shared/golden/manifest.json}): quantize and dequantize must
 * reproduce MLX's bytes exactly; quantized matmuls must agree within an explicit error bound.
 *
 * <p>Matmul tolerances. MLX's x86 CPU kernel accumulates in the output type T, so for float16 and bfloat16 its
 * outputs carry the error of a half-precision running sum. Each golden product is therefore checked twice:
 * (1) it equals, bit for bit, an emulation of that kernel on the golden {@code w_hat} ({@link MlxCpuMatmul}),
 * which pins down what MLX computed; (2) jmlx's product (float32 accumulation, rounded to T once) is within
 * {@code c · u_T · Σ|x·ŵ|} of it, where {@code u_T} is T's unit roundoff (2^-24, 2^-11, 2^-8), {@code c} is
 * {@code 2(K+2)} for float32 (a worst-case bound for any summation order) and {@code 4√K + 1} for the half types
 * (a statistical bound on MLX's running half sum). Outputs MLX overflowed to ±inf (float16 rows of magnitude 1e4)
 * are masked, and their count must match the manifest.
 */
class GoldenAffineConformanceTest {
    private static final Map<String, SafetensorsFile> FILES = new HashMap<>();

    @AfterAll
    static void closeFiles() {
        FILES.values().forEach(SafetensorsFile::close);
    }

    private static synchronized SafetensorsFile file(String name) {
        return FILES.computeIfAbsent(name, n -> {
            try {
                return SafetensorsFile.open(SharedData.golden(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @TestFactory
    Stream<DynamicNode> affineCases() throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(SharedData.goldenManifest().toFile());
        List<DynamicNode> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : manifest.get("cases").properties()) {
            JsonNode c = entry.getValue();
            if (c.get("mode").asText().equals("affine")) {
                cases.add(DynamicContainer.dynamicContainer(entry.getKey(), caseTests(c)));
            }
        }
        assertEquals(162, cases.size(), "affine cases in the manifest");
        return cases.stream();
    }

    private static Stream<DynamicNode> caseTests(JsonNode c) {
        int bits = c.get("bits").asInt();
        int groupSize = c.get("group_size").asInt();
        JsonNode outputs = c.get("outputs");
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("quantize", () -> {
            SafetensorsFile f = file(c.get("file").asText());
            QuantizedParts q = Jmlx.quantize(f.get(c.get("inputs").get("w").asText()), groupSize, bits);
            assertBytesEqual(f.get(name(outputs, "w_q")), q.packed(), "w_q");
            assertBytesEqual(f.get(name(outputs, "scales")), q.scales(), "scales");
            assertBytesEqual(f.get(name(outputs, "biases")), q.biases(), "biases");
        }));
        tests.add(DynamicTest.dynamicTest("dequantize", () -> {
            SafetensorsFile f = file(c.get("file").asText());
            Array wHat = Jmlx.dequantize(f.get(name(outputs, "w_q")), f.get(name(outputs, "scales")),
                    f.get(name(outputs, "biases")), groupSize, bits);
            assertBytesEqual(f.get(name(outputs, "w_hat")), wHat, "w_hat");
        }));
        for (Map.Entry<String, JsonNode> out : outputs.properties()) {
            if (out.getKey().startsWith("y_")) {
                tests.add(DynamicTest.dynamicTest(out.getKey(),
                        () -> checkMatmul(file(c.get("file").asText()), outputs, out.getValue(), groupSize, bits)));
            }
        }
        return tests.stream();
    }

    private static void checkMatmul(SafetensorsFile f, JsonNode outputs, JsonNode y, int groupSize, int bits) {
        Array x = f.get(y.get("x").asText());
        Array expectedArray = f.get(y.get("name").asText());
        boolean transpose = y.get("transpose").asBoolean();
        Array actualArray = Jmlx.quantizedMatmul(x, f.get(name(outputs, "w_q")), f.get(name(outputs, "scales")),
                f.get(name(outputs, "biases")), transpose, groupSize, bits);
        assertArrayEquals(expectedArray.shape(), actualArray.shape(), "output shape");
        DType t = expectedArray.dtype();
        assertEquals(t, actualArray.dtype(), "output dtype");

        float[] expected = expectedArray.toFloatArray();
        float[] actual = actualArray.toFloatArray();
        float[] xs = x.toFloatArray();
        Array wHatArray = f.get(name(outputs, "w_hat"));
        float[] wHat = wHatArray.toFloatArray();
        int[] ws = wHatArray.shape();
        int k = x.dim(-1);
        int m = x.dim(-2);
        int n = expectedArray.dim(-1);
        int batches = expected.length / (m * n);
        double u = switch (t) {
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            default -> 0x1p-24;
        };
        double c = t == DType.FLOAT32 ? 2.0 * (k + 2) : 4 * Math.sqrt(k) + 1;
        int nonFinite = 0;
        for (int b = 0; b < batches; b++) {
            MlxCpuMatmul.Problem p = new MlxCpuMatmul.Problem(xs, b * m * k, wHat, b * ws[ws.length - 2] * ws[ws.length - 1],
                    m, k, n, transpose);
            float[] emulated = MlxCpuMatmul.emulate(p, t);
            double[] magnitude = MlxCpuMatmul.magnitudes(p);
            for (int i = 0; i < m * n; i++) {
                float e = expected[b * m * n + i];
                if (!Float.isFinite(e)) {
                    nonFinite++;
                    continue;
                }
                float a = actual[b * m * n + i];
                if (Float.floatToIntBits(emulated[i]) != Float.floatToIntBits(e)) {
                    fail("MLX's output " + i + " of batch " + b + " is " + e + " but the emulation of its CPU kernel gives "
                            + emulated[i]);
                }
                double bound = c * u * magnitude[i];
                if (!(Math.abs(a - e) <= bound)) {
                    fail("output " + i + " of batch " + b + ": jmlx " + a + ", MLX " + e + ", |diff| " + Math.abs(a - e)
                            + " > bound " + bound + " (Σ|x·ŵ| = " + magnitude[i] + ")");
                }
            }
        }
        assertEquals(y.has("nonfinite_count") ? y.get("nonfinite_count").asInt() : 0, nonFinite,
                "outputs MLX overflowed (masked)");
    }

    private static String name(JsonNode outputs, String key) {
        return outputs.get(key).get("name").asText();
    }

    private static void assertBytesEqual(Array expected, Array actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
        byte[] e = expected.toBytes();
        byte[] a = actual.toBytes();
        if (!Arrays.equals(e, a)) {
            int i = Arrays.mismatch(e, a);
            int elem = i / expected.dtype().byteSize();
            fail(what + " differs from MLX first at element " + elem + " of " + expected.size());
        }
        assertTrue(e.length > 0, what + " is empty");
    }
}
