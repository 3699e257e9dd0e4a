package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.Array;
import io.jmlx.gpu.testing.Golden;
import io.jmlx.gpu.testing.TestGpu;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
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
            Golden.assertSameBytes(expectedBiases, biases, "biases");
        } else {
            gpu.kernels()
                    .fpQuantize(
                            w.data(),
                            w.dtype(),
                            rows,
                            cols,
                            Golden.format(mode),
                            Golden.globalScale(c),
                            packed,
                            scales);
        }
        Golden.assertSameBytes(expectedPacked, packed, "w_q");
        Golden.assertSameBytes(expectedScales, scales, "scales");
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
                            Golden.format(mode),
                            Golden.globalScale(c),
                            expected.dtype(),
                            out);
        }
        Golden.assertSameBytes(expected, out, "w_hat");
    }

    private static void matmul(Gpu gpu, JsonNode c, String mode, String key) {
        Golden.Product p = Golden.product(c, key);
        MemorySegment out = gpu.memory().allocate(Golden.output(c, key).nbytes());
        int groupSize = c.get("group_size").asInt();
        int bits = c.get("bits").asInt();
        CompletableFuture<Void> done = mode.equals("affine")
                ? gpu.kernels()
                        .affineMatmulAsync(
                                p.x().data(),
                                p.packed().data(),
                                p.scales().data(),
                                p.biases().data(),
                                p.dtype(),
                                p.batches(),
                                p.m(),
                                p.k(),
                                p.n(),
                                p.transpose(),
                                p.sharedWeight(),
                                groupSize,
                                bits,
                                out)
                : gpu.kernels()
                        .fpMatmulAsync(
                                p.x().data(),
                                p.packed().data(),
                                p.scales().data(),
                                p.dtype(),
                                p.batches(),
                                p.m(),
                                p.k(),
                                p.n(),
                                p.transpose(),
                                p.sharedWeight(),
                                Golden.format(mode),
                                null,
                                out);
        gpu.queue().flush();
        done.join();
        Golden.checkProduct(c, key, out);
    }
}
