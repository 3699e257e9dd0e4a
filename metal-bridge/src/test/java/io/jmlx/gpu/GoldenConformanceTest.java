package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.gpu.testing.Golden;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of MLX's golden vectors on the GPU kernels: quantize and dequantize reproduce MLX's bytes exactly
 * (the weights come from memory-mapped files, so they reach the GPU through staging); quantized matmuls are within
 * the bound the CPU conformance suites use, {@code c · u_T · Σ|x|·|ŵ|} with {@code c = 2(K+2)} for float32 and
 * {@code 4√K + 1} for the half types (MLX accumulates in the half type), on each MLX output that did not overflow.
 * The {@code qq_} outputs (MLX's qqmm, which first re-quantizes x with its own helper) are left to the CPU suite.
 */
class GoldenConformanceTest {
    private static final Map<String, AtomicInteger> PASSED = new ConcurrentHashMap<>();

    @AfterAll
    static void report() {
        Golden.closeAll();
        System.out.println("[jmlx-gpu] golden cases passed on the GPU: " + new java.util.TreeMap<>(PASSED));
    }

    @TestFactory
    Stream<DynamicNode> everyGoldenCase() {
        Gpu gpu = TestGpu.get();
        List<DynamicNode> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : Golden.manifest().get("cases").properties()) {
            cases.add(DynamicContainer.dynamicContainer(entry.getKey(), caseTests(gpu, entry.getValue())));
        }
        assertEquals(198, cases.size(), "cases in the manifest");
        return cases.stream();
    }

    private static Stream<DynamicNode> caseTests(Gpu gpu, JsonNode c) {
        String mode = c.get("mode").asText();
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("quantize", () -> {
            quantize(gpu, c, mode);
            passed(mode + " quantize");
        }));
        tests.add(DynamicTest.dynamicTest("dequantize", () -> {
            dequantize(gpu, c, mode);
            passed(mode + " dequantize");
        }));
        for (Map.Entry<String, JsonNode> out : c.get("outputs").properties()) {
            if (out.getKey().startsWith("y_")) {
                tests.add(DynamicTest.dynamicTest(out.getKey(), () -> {
                    matmul(gpu, c, mode, out.getKey());
                    passed(mode + " matmul");
                }));
            }
        }
        return tests.stream();
    }

    private static void passed(String what) {
        PASSED.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void quantize(Gpu gpu, JsonNode c, String mode) {
        Array w = Golden.tensor(c, c.get("inputs").get("w").asText());
        Array expectedPacked = Golden.output(c, "w_q");
        Array expectedScales = Golden.output(c, "scales");
        int cols = w.dim(-1);
        long rows = w.size() / cols;
        MemorySegment packed = gpu.memory().allocate(expectedPacked.nbytes());
        MemorySegment scales = gpu.memory().allocate(expectedScales.nbytes());
        if (mode.equals("affine")) {
            Array expectedBiases = Golden.output(c, "biases");
            MemorySegment biases = gpu.memory().allocate(expectedBiases.nbytes());
            gpu.kernels()
                    .affineQuantize(
                            w.data(),
                            w.dtype(),
                            rows,
                            cols,
                            c.get("group_size").asInt(),
                            c.get("bits").asInt(),
                            packed,
                            scales,
                            biases);
            assertSameBytes(expectedBiases, biases, "biases");
        } else {
            gpu.kernels().fpQuantize(w.data(), w.dtype(), rows, cols, format(mode), globalScale(c), packed, scales);
        }
        assertSameBytes(expectedPacked, packed, "w_q");
        assertSameBytes(expectedScales, scales, "scales");
    }

    private static void dequantize(Gpu gpu, JsonNode c, String mode) {
        Array expected = Golden.output(c, "w_hat");
        Array packed = Golden.output(c, "w_q");
        Array scales = Golden.output(c, "scales");
        int cols = expected.dim(-1);
        long rows = expected.size() / cols;
        MemorySegment out = gpu.memory().allocate(expected.nbytes());
        if (mode.equals("affine")) {
            gpu.kernels()
                    .affineDequantize(
                            packed.data(),
                            scales.data(),
                            Golden.output(c, "biases").data(),
                            scales.dtype(),
                            rows,
                            cols,
                            c.get("group_size").asInt(),
                            c.get("bits").asInt(),
                            out);
        } else {
            gpu.kernels()
                    .fpDequantize(
                            packed.data(),
                            scales.data(),
                            rows,
                            cols,
                            format(mode),
                            globalScale(c),
                            expected.dtype(),
                            out);
        }
        assertSameBytes(expected, out, "w_hat");
    }

    private static void matmul(Gpu gpu, JsonNode c, String mode, String key) {
        JsonNode y = c.get("outputs").get(key);
        Array x = Golden.tensor(c, y.get("x").asText());
        Array expected = Golden.output(c, key);
        Array packed = Golden.output(c, "w_q");
        Array scales = Golden.output(c, "scales");
        boolean transpose = y.get("transpose").asBoolean();
        DType t = x.dtype();
        int m = x.dim(-2);
        int k = x.dim(-1);
        int n = expected.dim(-1);
        int batches = (int) (x.size() / ((long) m * k));
        boolean shared = packed.ndim() == 2;
        MemorySegment out = gpu.memory().allocate(expected.nbytes());
        CompletableFuture<Void> done;
        if (mode.equals("affine")) {
            done = gpu.kernels()
                    .affineMatmulAsync(
                            x.data(),
                            packed.data(),
                            scales.data(),
                            Golden.output(c, "biases").data(),
                            t,
                            batches,
                            m,
                            k,
                            n,
                            transpose,
                            shared,
                            c.get("group_size").asInt(),
                            c.get("bits").asInt(),
                            out);
        } else {
            done = gpu.kernels()
                    .fpMatmulAsync(
                            x.data(),
                            packed.data(),
                            scales.data(),
                            t,
                            batches,
                            m,
                            k,
                            n,
                            transpose,
                            shared,
                            format(mode),
                            null,
                            out);
        }
        gpu.queue().flush();
        done.join();

        float[] weights = decodedMagnitudes(c, mode, packed, scales, t);
        int rows = packed.dim(-2);
        int cols = packed.dim(-1) * 32 / c.get("bits").asInt();
        float[] xs = x.toFloatArray();
        float[] want = expected.toFloatArray();
        float[] got = Array.wrap(out, t, expected.shape()).toFloatArray();
        double bound = (t == DType.FLOAT32 ? 2.0 * (k + 2) : 4 * Math.sqrt(k) + 1) * unitRoundoff(t);
        int nonFinite = 0;
        for (int b = 0; b < batches; b++) {
            int wOffset = shared ? 0 : b * rows * cols;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int index = (b * m + i) * n + j;
                    if (!Float.isFinite(want[index])) {
                        nonFinite++;
                        continue;
                    }
                    double magnitude = 0;
                    for (int kk = 0; kk < k; kk++) {
                        int w = wOffset + (transpose ? j * cols + kk : kk * cols + j);
                        magnitude += Math.abs((double) xs[(b * m + i) * k + kk]) * weights[w];
                    }
                    double diff = Math.abs((double) got[index] - want[index]);
                    if (!(diff <= bound * magnitude)) {
                        fail(key + " output " + index + ": GPU " + got[index] + ", MLX " + want[index] + ", |diff| "
                                + diff + " > bound " + bound * magnitude);
                    }
                }
            }
        }
        assertEquals(
                y.has("nonfinite_count") ? y.get("nonfinite_count").asInt() : 0,
                nonFinite,
                "outputs MLX overflowed (masked)");
    }

    /** Per stored weight, the magnitude its decoding involves: |s·q| + |b| (affine) or |element · scale|. */
    private static float[] decodedMagnitudes(JsonNode c, String mode, Array packed, Array scales, DType t) {
        int bits = c.get("bits").asInt();
        int groupSize = c.get("group_size").asInt();
        int cols = packed.dim(-1) * 32 / bits;
        int rows = (int) (packed.size() / packed.dim(-1));
        float[] s = mode.equals("affine") ? scales.toFloatArray() : null;
        float[] bias = mode.equals("affine") ? Golden.output(c, "biases").toFloatArray() : null;
        byte[] scaleBytes = mode.equals("affine") ? null : scales.toBytes();
        FpFormat format = mode.equals("affine") ? null : format(mode);
        float[] out = new float[rows * cols];
        int[] codes = new int[cols];
        for (int r = 0; r < rows; r++) {
            BitPacking.unpackRow(packed.data(), (long) r * packed.dim(-1), cols, bits, codes);
            for (int j = 0; j < cols; j++) {
                int g = r * (cols / groupSize) + j / groupSize;
                out[r * cols + j] = format == null
                        ? Math.abs(s[g] * codes[j]) + Math.abs(bias[g])
                        : Math.abs((bits == 4 ? FpCodecs.fp4Value(codes[j]) : FpCodecs.fp8Decode(codes[j]))
                                * FloatFormats.roundTo(t, format.scale(scaleBytes[g] & 0xFF)));
            }
        }
        return out;
    }

    private static double unitRoundoff(DType t) {
        return switch (t) {
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            default -> 0x1p-24;
        };
    }

    private static FpFormat format(String mode) {
        return FpFormat.valueOf(mode.toUpperCase(Locale.ROOT));
    }

    private static Float globalScale(JsonNode c) {
        JsonNode name = c.get("global_scale");
        return name == null || name.isNull()
                ? null
                : Golden.tensor(c, name.asText()).toFloatArray()[0];
    }

    private static void assertSameBytes(Array expected, MemorySegment actual, String what) {
        long at = expected.data().mismatch(actual.asSlice(0, expected.nbytes()));
        if (at >= 0) {
            fail(what + " differs from MLX first at element "
                    + at / expected.dtype().byteSize() + " of " + expected.size());
        }
    }
}
