package io.jmlx.gpu.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.gpu.testing.Golden;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.stream.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of MLX's golden vectors through the public API on {@code Device.gpu()}: {@code Jmlx.quantize} and
 * {@code Jmlx.dequantize} reproduce MLX's bytes, {@code Jmlx.quantizedMatmul} is within the CPU suites' bound of
 * MLX's output ({@link Golden#checkProduct}).
 */
class BackendGoldenTest {
    private static final Map<String, AtomicInteger> PASSED = new ConcurrentHashMap<>();

    @AfterAll
    static void report() {
        Golden.closeAll();
        System.out.println("[jmlx-gpu] golden cases passed through Device.gpu(): " + new TreeMap<>(PASSED));
    }

    @TestFactory
    Stream<DynamicNode> everyGoldenCaseOnTheGpuDevice() {
        TestGpu.get();
        Device gpu = Device.gpu();
        List<DynamicNode> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : Golden.manifest().get("cases").properties()) {
            cases.add(DynamicContainer.dynamicContainer(entry.getKey(), caseTests(gpu, entry.getValue())));
        }
        assertEquals(198, cases.size(), "cases in the manifest");
        return cases.stream();
    }

    private static Stream<DynamicNode> caseTests(Device gpu, JsonNode c) {
        String mode = c.get("mode").asText();
        int bits = c.get("bits").asInt();
        int groupSize = c.get("group_size").asInt();
        boolean affine = mode.equals("affine");
        Array global = c.get("global_scale").isNull()
                ? null
                : Golden.tensor(c, c.get("global_scale").asText());
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("quantize", () -> {
            Array w = Golden.tensor(c, c.get("inputs").get("w").asText());
            QuantizedParts q = Jmlx.quantize(w, groupSize, bits, mode, global, gpu);
            Golden.assertSameBytes(Golden.output(c, "w_q"), q.packed().data(), "w_q");
            Golden.assertSameBytes(Golden.output(c, "scales"), q.scales().data(), "scales");
            if (affine) {
                Golden.assertSameBytes(Golden.output(c, "biases"), q.biases().data(), "biases");
            }
            passed(mode + " quantize");
        }));
        tests.add(DynamicTest.dynamicTest("dequantize", () -> {
            DType dtype = global == null ? DType.parse(c.get("dtype").asText()) : null;
            Array wHat = Jmlx.dequantize(
                    Golden.output(c, "w_q"),
                    Golden.output(c, "scales"),
                    affine ? Golden.output(c, "biases") : null,
                    groupSize,
                    bits,
                    mode,
                    global,
                    dtype,
                    gpu);
            Golden.assertSameBytes(Golden.output(c, "w_hat"), wHat.data(), "w_hat");
            passed(mode + " dequantize");
        }));
        for (Map.Entry<String, JsonNode> out : c.get("outputs").properties()) {
            if (out.getKey().startsWith("y_")) {
                tests.add(DynamicTest.dynamicTest(out.getKey(), () -> {
                    JsonNode y = out.getValue();
                    Array result = Jmlx.quantizedMatmul(
                            Golden.tensor(c, y.get("x").asText()),
                            Golden.output(c, "w_q"),
                            Golden.output(c, "scales"),
                            affine ? Golden.output(c, "biases") : null,
                            y.get("transpose").asBoolean(),
                            groupSize,
                            bits,
                            mode,
                            gpu);
                    Golden.checkProduct(c, out.getKey(), result.data());
                    passed(mode + " matmul");
                }));
            }
        }
        return tests.stream();
    }

    private static void passed(String what) {
        PASSED.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }
}
