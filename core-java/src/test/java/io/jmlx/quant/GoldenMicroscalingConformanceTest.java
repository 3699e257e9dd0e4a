package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
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
 * Every microscaling case (mxfp4, mxfp8, nvfp4, nvfp4 with a global scale) of MLX's golden vectors: quantize
 * (packed codes and uint8 scales) and dequantize must reproduce MLX's bytes exactly; quantized matmuls are checked
 * by {@link GoldenFiles#checkProduct}: MLX's equal an emulation of its x86 CPU kernels ({@link MlxCpuMatmul}),
 * jmlx's are within {@link io.jmlx.testing.ProductBound} of the exact product (float64). The
 * {@code qq_B1} outputs (MLX's {@code qqmm}, which first quantizes and dequantizes x with its own helper) are
 * checked the same way: jmlx's {@code quantizedMatmul} on the activations that helper produces.
 */
class GoldenMicroscalingConformanceTest {

    @AfterAll
    static void closeFiles() {
        System.out.printf("microscaled products: jmlx used at most %.3f of the bound%n", GoldenFiles.largestShare());
        GoldenFiles.closeAll();
    }

    @TestFactory
    Stream<DynamicNode> microscalingCases() throws IOException {
        List<DynamicNode> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry :
                GoldenFiles.manifest().get("cases").properties()) {
            JsonNode c = entry.getValue();
            if (!c.get("mode").asText().equals("affine")) {
                cases.add(DynamicContainer.dynamicContainer(entry.getKey(), caseTests(c)));
            }
        }
        assertEquals(36, cases.size(), "microscaling cases in the manifest");
        return cases.stream();
    }

    private static Stream<DynamicNode> caseTests(JsonNode c) {
        String mode = c.get("mode").asText();
        int bits = c.get("bits").asInt();
        int groupSize = c.get("group_size").asInt();
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("quantize", () -> {
            Array w = GoldenFiles.input(c, c.get("inputs").get("w").asText());
            QuantizedParts q = Jmlx.quantize(w, groupSize, bits, mode, globalScale(c), null);
            GoldenFiles.assertBytesEqual(GoldenFiles.output(c, "w_q"), q.packed(), "w_q");
            GoldenFiles.assertBytesEqual(GoldenFiles.output(c, "scales"), q.scales(), "scales");
            assertEquals(null, q.biases(), "no biases");
        }));
        tests.add(DynamicTest.dynamicTest("dequantize", () -> {
            Array global = globalScale(c);
            // MLX was asked for w's dtype; with a global scale it returns float32 regardless (jmlx's default there).
            DType dtype = global == null ? DType.parse(c.get("dtype").asText()) : null;
            Array wHat = Jmlx.dequantize(
                    GoldenFiles.output(c, "w_q"),
                    GoldenFiles.output(c, "scales"),
                    null,
                    groupSize,
                    bits,
                    mode,
                    global,
                    dtype,
                    null);
            GoldenFiles.assertBytesEqual(GoldenFiles.output(c, "w_hat"), wHat, "w_hat");
        }));
        for (Map.Entry<String, JsonNode> out : c.get("outputs").properties()) {
            if (out.getKey().startsWith("y_") || out.getKey().startsWith("qq_")) {
                tests.add(DynamicTest.dynamicTest(
                        out.getKey(), () -> checkMatmul(c, out.getKey(), mode, groupSize, bits)));
            }
        }
        return tests.stream();
    }

    private static Array globalScale(JsonNode c) {
        JsonNode name = c.get("global_scale");
        return name == null || name.isNull() ? null : GoldenFiles.input(c, name.asText());
    }

    private static void checkMatmul(JsonNode c, String key, String mode, int groupSize, int bits) {
        JsonNode y = c.get("outputs").get(key);
        boolean qq = key.startsWith("qq_");
        Array expected = GoldenFiles.output(c, key);
        DType t = expected.dtype();
        Array xGiven = GoldenFiles.input(c, qq ? "x_t_B1" : y.get("x").asText());
        boolean transpose = qq || y.get("transpose").asBoolean();
        Array x = qq
                ? Array.of(MlxCpuMatmul.mlxQqActivations(xGiven.toFloatArray(), t, bits, groupSize), t, xGiven.shape())
                : xGiven;
        Array packed = GoldenFiles.output(c, "w_q");
        Array scales = GoldenFiles.output(c, "scales");
        Array actual = Jmlx.quantizedMatmul(x, packed, scales, null, transpose, groupSize, bits, mode, null);

        float[] xs = x.toFloatArray();
        int rows = packed.dim(-2);
        int cols = packed.dim(-1) * 32 / bits;
        int batches = (int) (packed.size() / ((long) rows * packed.dim(-1)));
        float[] elements = elements(packed, bits, rows * batches, cols, t);
        float[] scaleValues = scaleValues(scales, groupSize, t);
        float[] exactScales = scaleValues(scales, groupSize, null);
        int m = x.dim(-2);
        int k = x.dim(-1);
        int n = expected.dim(-1);
        IntFunction<MlxCpuMatmul.FpProblem> problem =
                b -> problem(xs, elements, scaleValues, b, rows, cols, groupSize, m, k, n, transpose);
        IntFunction<MlxCpuMatmul.FpProblem> exactProblem =
                b -> problem(xs, elements, exactScales, b, rows, cols, groupSize, m, k, n, transpose);
        double[] weights = new double[elements.length];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (double) elements[i] * exactScales[i / groupSize];
        }
        int nonFinite = GoldenFiles.checkProduct(
                expected,
                actual,
                k,
                b -> MlxCpuMatmul.emulate(problem.apply(b), t),
                b -> new double[][] {
                    GoldenFiles.exactProduct(xs, b * m * k, weights, b * rows * cols, m, k, n, transpose)
                },
                b -> MlxCpuMatmul.magnitudes(exactProblem.apply(b)));
        assertEquals(
                y.has("nonfinite_count") ? y.get("nonfinite_count").asInt() : 0,
                nonFinite,
                "outputs MLX overflowed (masked)");
    }

    private static MlxCpuMatmul.FpProblem problem(
            float[] xs,
            float[] elements,
            float[] scales,
            int b,
            int rows,
            int cols,
            int groupSize,
            int m,
            int k,
            int n,
            boolean transpose) {
        return new MlxCpuMatmul.FpProblem(
                xs,
                b * m * k,
                elements,
                b * rows * cols,
                scales,
                b * rows * (cols / groupSize),
                groupSize,
                m,
                k,
                n,
                transpose);
    }

    /** Element values of every stored code, as the kernel casts them to T (exact). */
    private static float[] elements(Array packed, int bits, int rows, int cols, DType t) {
        float[] out = new float[rows * cols];
        int[] codes = new int[cols];
        for (int r = 0; r < rows; r++) {
            BitPacking.unpackRow(packed.data(), (long) r * packed.dim(-1), cols, bits, codes);
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] =
                        FloatFormats.roundTo(t, bits == 4 ? FpCodecs.fp4Value(codes[j]) : FpCodecs.fp8Decode(codes[j]));
            }
        }
        return out;
    }

    /**
     * Scales as MLX's kernels decode them to T: E4M3 (groups of 16), or E8M0 through a bfloat16 bit pattern; with
     * {@code t} null, their exact values (what jmlx multiplies by).
     */
    private static float[] scaleValues(Array scales, int groupSize, DType t) {
        byte[] bytes = scales.toBytes();
        float[] out = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int s = bytes[i] & 0xFF;
            float v = groupSize == 16
                    ? FpCodecs.fp8Decode(s)
                    : FloatFormats.fromBFloat16((short) (s == 0 ? 0x40 : s << 7));
            out[i] = t == null ? v : FloatFormats.roundTo(t, v);
        }
        return out;
    }
}
