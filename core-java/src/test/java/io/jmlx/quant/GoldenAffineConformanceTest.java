package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.Array;
import io.jmlx.Jmlx;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every affine case of MLX's golden vectors ({@code shared/golden/manifest.json}): quantize and dequantize must
 * reproduce MLX's bytes exactly; quantized matmuls are checked by {@link GoldenFiles#checkProduct}: MLX's outputs
 * equal an emulation of its x86 CPU kernel, which accumulates in the output type
 * ({@code sum = T(sum + T(x·ŵ))}, k ascending, spec §4.3), and jmlx's (float32 accumulation, scale and bias applied
 * per element or per group, one rounding at the end) are within {@link io.jmlx.testing.ProductBound} of the exact
 * product (float64) of MLX's ŵ or of {@code s·q + b} unrounded. Outputs MLX overflowed to ±inf (float16 rows of
 * magnitude 1e4) are masked, and their count must match the manifest.
 */
class GoldenAffineConformanceTest {

    @AfterAll
    static void closeFiles() {
        System.out.printf("affine products: jmlx used at most %.3f of the bound%n", GoldenFiles.largestShare());
        GoldenFiles.closeAll();
    }

    @TestFactory
    Stream<DynamicNode> affineCases() throws IOException {
        List<DynamicNode> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry :
                GoldenFiles.manifest().get("cases").properties()) {
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
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("quantize", () -> {
            QuantizedParts q =
                    Jmlx.quantize(GoldenFiles.input(c, c.get("inputs").get("w").asText()), groupSize, bits);
            GoldenFiles.assertBytesEqual(GoldenFiles.output(c, "w_q"), q.packed(), "w_q");
            GoldenFiles.assertBytesEqual(GoldenFiles.output(c, "scales"), q.scales(), "scales");
            GoldenFiles.assertBytesEqual(GoldenFiles.output(c, "biases"), q.biases(), "biases");
        }));
        tests.add(DynamicTest.dynamicTest("dequantize", () -> {
            Array wHat = Jmlx.dequantize(
                    GoldenFiles.output(c, "w_q"),
                    GoldenFiles.output(c, "scales"),
                    GoldenFiles.output(c, "biases"),
                    groupSize,
                    bits);
            GoldenFiles.assertBytesEqual(GoldenFiles.output(c, "w_hat"), wHat, "w_hat");
        }));
        for (Map.Entry<String, JsonNode> out : c.get("outputs").properties()) {
            if (out.getKey().startsWith("y_")) {
                tests.add(DynamicTest.dynamicTest(out.getKey(), () -> checkMatmul(c, out.getKey(), groupSize, bits)));
            }
        }
        return tests.stream();
    }

    private static void checkMatmul(JsonNode c, String key, int groupSize, int bits) {
        JsonNode y = c.get("outputs").get(key);
        Array x = GoldenFiles.input(c, y.get("x").asText());
        Array expected = GoldenFiles.output(c, key);
        boolean transpose = y.get("transpose").asBoolean();
        Array actual = Jmlx.quantizedMatmul(
                x,
                GoldenFiles.output(c, "w_q"),
                GoldenFiles.output(c, "scales"),
                GoldenFiles.output(c, "biases"),
                transpose,
                groupSize,
                bits);
        Array wHat = GoldenFiles.output(c, "w_hat");
        float[] xs = x.toFloatArray();
        float[] ws = wHat.toFloatArray();
        Weights weights = weights(c, bits, groupSize, wHat.dim(-1), ws);
        int m = x.dim(-2);
        int k = x.dim(-1);
        int n = expected.dim(-1);
        int wPerBatch = wHat.dim(-2) * wHat.dim(-1);
        IntFunction<MlxCpuMatmul.Problem> problem =
                b -> new MlxCpuMatmul.Problem(xs, b * m * k, ws, weights.magnitude, b * wPerBatch, m, k, n, transpose);
        int nonFinite = GoldenFiles.checkProduct(
                expected,
                actual,
                k,
                b -> MlxCpuMatmul.emulate(problem.apply(b), expected.dtype()),
                b -> new double[][] {
                    GoldenFiles.exactProduct(xs, b * m * k, weights.stored, b * wPerBatch, m, k, n, transpose),
                    GoldenFiles.exactProduct(xs, b * m * k, weights.exact, b * wPerBatch, m, k, n, transpose)
                },
                b -> MlxCpuMatmul.magnitudes(problem.apply(b)));
        assertEquals(
                y.has("nonfinite_count") ? y.get("nonfinite_count").asInt() : 0,
                nonFinite,
                "outputs MLX overflowed (masked)");
    }

    /**
     * The weight values a product may multiply by: MLX's dequantized ŵ (in T, as stored) or {@code s·q + b}
     * unrounded; and per weight the magnitude its terms involve, {@code max(|ŵ|, |s·q| + |b|)}.
     */
    private record Weights(double[] stored, double[] exact, float[] magnitude) {}

    private static Weights weights(JsonNode c, int bits, int groupSize, int cols, float[] wHat) {
        Array packed = GoldenFiles.output(c, "w_q");
        float[] scales = GoldenFiles.output(c, "scales").toFloatArray();
        float[] biases = GoldenFiles.output(c, "biases").toFloatArray();
        int rows = (int) (packed.size() / packed.dim(-1));
        int groups = cols / groupSize;
        double[] stored = new double[rows * cols];
        double[] exact = new double[rows * cols];
        float[] magnitude = new float[rows * cols];
        int[] codes = new int[cols];
        for (int r = 0; r < rows; r++) {
            io.jmlx.kernels.BitPacking.unpackRow(packed.data(), (long) r * packed.dim(-1), cols, bits, codes);
            for (int j = 0; j < cols; j++) {
                int g = r * groups + j / groupSize;
                int i = r * cols + j;
                stored[i] = wHat[i];
                exact[i] = (double) scales[g] * codes[j] + biases[g];
                magnitude[i] = Math.max(Math.abs(wHat[i]), Math.abs(scales[g] * codes[j]) + Math.abs(biases[g]));
            }
        }
        return new Weights(stored, exact, magnitude);
    }
}
