package io.jmlx.nn;

import static io.jmlx.nn.QuantizeDecision.quantize;
import static io.jmlx.nn.QuantizeDecision.skip;
import static io.jmlx.nn.QuantizeDecision.with;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.testing.RandomArrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Model-level quantize: predicate answers, per-layer settings, errors, all-or-nothing, the result record, dequantize. */
class QuantizePredicateTest {
    private static final QuantizationSettings AFFINE_64_4 = new QuantizationSettings(64, 4, QuantizationMode.AFFINE);

    private final Sequential model =
            new Sequential(new Linear(128, 64), new TestModules.Relu(), new Linear(64, 32), new Embedding(10, 128));

    /** Every module by path and every parameter, to compare a model before and after a failed call. */
    private static Map<String, Object> snapshot(Module m) {
        Map<String, Object> s = new LinkedHashMap<>(m.leafModules());
        s.putAll(m.parameters());
        return s;
    }

    private static void assertSameEntries(Map<String, Object> before, Map<String, Object> after) {
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertSame(v, after.get(k), k));
    }

    @Test
    void thePredicateSeesEveryLeafWithItsPath() {
        List<String> asked = new ArrayList<>();
        Quantization.quantize(model, null, null, null, (path, m) -> {
            asked.add(path + ":" + m.getClass().getSimpleName());
            return skip();
        });
        assertEquals(List.of("layers.0:Linear", "layers.1:Relu", "layers.2:Linear", "layers.3:Embedding"), asked);
        assertInstanceOf(Linear.class, model.layers().get(0));
    }

    @Test
    void perLayerSettingsOverrideTheCallsAndAreRecorded() {
        QuantizationResult done = Quantization.quantize(model, null, null, null, (path, m) -> switch (path) {
            case "layers.0" -> with(32, 8);
            case "layers.2" -> with(null, null, "mxfp8");
            case "layers.3" -> quantize();
            default -> skip();
        });
        assertEquals(AFFINE_64_4, done.defaults());
        QuantizationSettings first = new QuantizationSettings(32, 8, QuantizationMode.AFFINE);
        QuantizationSettings second = new QuantizationSettings(32, 8, QuantizationMode.MXFP8);
        assertEquals(Map.of("layers.0", first, "layers.2", second, "layers.3", AFFINE_64_4), done.layers());
        assertEquals(
                List.of("layers.0", "layers.2"), List.copyOf(done.overrides().keySet()));
        assertEquals(first, ((QuantizedLayer) model.module("layers.0")).settings());
        assertEquals(second, ((QuantizedLayer) model.module("layers.2")).settings());
        assertEquals(AFFINE_64_4, ((QuantizedLayer) model.module("layers.3")).settings());
        assertArrayEquals(
                new int[] {64, 128 * 8 / 32},
                model.parameters().get("layers.0.weight").shape());
    }

    @Test
    void missingPerLayerSettingsComeFromTheCallOrTheLayersMode() {
        QuantizationResult done = Quantization.quantize(model, 32, 8, null, (path, m) -> switch (path) {
            case "layers.0" -> with(64, null);
            case "layers.2" -> with(null, null, "mxfp4");
            default -> skip();
        });
        assertEquals(
                new QuantizationSettings(64, 8, QuantizationMode.AFFINE),
                done.layers().get("layers.0"),
                "bits from the call");
        assertEquals(
                new QuantizationSettings(32, 4, QuantizationMode.MXFP4),
                done.layers().get("layers.2"),
                "another mode: its defaults, not the call's affine settings");
    }

    @Test
    void aBooleanPredicateUsesTheCallsSettings() {
        QuantizationResult done =
                Quantization.quantizeWhere(model, 32, 2, "affine", (path, m) -> path.equals("layers.2"));
        assertEquals(Map.of("layers.2", new QuantizationSettings(32, 2, QuantizationMode.AFFINE)), done.layers());
        assertTrue(done.overrides().isEmpty());
        assertInstanceOf(Linear.class, model.layers().get(0));
    }

    @Test
    void aNullAnswerIsRejectedAndNothingChanges() {
        Map<String, Object> before = snapshot(model);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Quantization.quantize(
                        model, null, null, null, (path, m) -> path.equals("layers.2") ? null : skip()));
        assertTrue(e.getMessage().startsWith("The quantize predicate must return a QuantizeDecision"), e.getMessage());
        assertTrue(e.getMessage().endsWith("returned null for layer 'layers.2'."), e.getMessage());
        assertSameEntries(before, snapshot(model));
    }

    @Test
    void quantizingAModuleThatCannotBeIsMlxsError() {
        Map<String, Object> before = snapshot(model);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Quantization.quantize(model, null, null, null, (path, m) -> quantize()));
        assertEquals(
                "Unable to quantize model of type io.jmlx.nn.TestModules$Relu (layer 'layers.1').", e.getMessage());
        assertSameEntries(before, snapshot(model));
    }

    @Test
    void aLaterLayerThatFailsValidationLeavesTheModelExactlyAsBefore() {
        Sequential m = new Sequential(new Linear(128, 16), new Linear(16, 96), new Linear(96, 8));
        Map<String, Object> before = snapshot(m);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantization.quantize(m));
        assertEquals(
                "[quantize] The last dimension of the matrix needs to be divisible by the quantization group size "
                        + "64. However the provided  matrix has shape (96,16) (layer 'layers.1')",
                e.getMessage());
        assertSameEntries(before, snapshot(m));

        IllegalArgumentException bits = assertThrows(
                IllegalArgumentException.class,
                () -> Quantization.quantize(
                        m,
                        null,
                        null,
                        null,
                        (path, layer) -> path.equals("layers.2") ? with(32, 7) : with(16, 4, "nvfp4")));
        assertEquals(
                "[quantize] The requested number of bits 7 is not supported. The supported bits are 2, 3, 4, 5, 6 "
                        + "and 8. (layer 'layers.2')",
                bits.getMessage());
        assertSameEntries(before, snapshot(m));
    }

    @Test
    void aChildDeclaredTooNarrowlyFailsBeforeAnythingIsReplaced() {
        class Pair extends Module {
            Pair() {
                addChild("free", Layer.class, new Linear(64, 8));
                addChild("pinned", Linear.class, new Linear(64, 8));
            }
        }
        Pair pair = new Pair();
        Map<String, Object> before = snapshot(pair);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantization.quantize(pair));
        assertEquals(
                "Cannot put a io.jmlx.nn.QuantizedLinear at 'pinned': its parent declares that child as "
                        + "io.jmlx.nn.Linear.",
                e.getMessage());
        assertSameEntries(before, snapshot(pair));
    }

    @Test
    void unknownModesGetMlxsNnMessage() {
        IllegalArgumentException call =
                assertThrows(IllegalArgumentException.class, () -> Quantization.quantize(model, null, null, "int4"));
        assertEquals(
                "Invalid quantization mode 'int4'. Valid modes are: affine, mxfp4, nvfp4, mxfp8.", call.getMessage());
        Map<String, Object> before = snapshot(model);
        IllegalArgumentException layer = assertThrows(
                IllegalArgumentException.class,
                () -> Quantization.quantize(model, null, null, null, (path, m) -> with(null, null, "MXFP4")));
        assertEquals(
                "Invalid quantization mode 'MXFP4'. Valid modes are: affine, mxfp4, nvfp4, mxfp8. "
                        + "(layer 'layers.0')",
                layer.getMessage());
        assertSameEntries(before, snapshot(model));
    }

    @Test
    void dequantizeRestoresDenseLayersThatComputeTheSame() {
        Array x = RandomArrays.normal(41, 1, DType.FLOAT32, 3, 128);
        Quantization.quantizeWhere(model, null, null, null, (path, m) -> m instanceof Linear);
        Sequential head = new Sequential(
                model.layers().get(0), model.layers().get(1), model.layers().get(2));
        float[] quantized = head.forward(x).toFloatArray();
        List<String> restored = Quantization.dequantize(model);
        assertEquals(List.of("layers.0", "layers.2"), restored);
        Linear dense = assertInstanceOf(Linear.class, model.layers().get(0));
        assertEquals(
                List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.3.weight"),
                List.copyOf(model.parameters().keySet()));
        assertArrayEquals(new int[] {64, 128}, dense.weight().shape());
        float[] again = new Sequential(
                        model.layers().get(0),
                        model.layers().get(1),
                        model.layers().get(2))
                .forward(x)
                .toFloatArray();
        for (int i = 0; i < quantized.length; i++) {
            assertEquals(quantized[i], again[i], 1e-4f * (1 + Math.abs(quantized[i])), "output " + i);
        }
        assertTrue(Quantization.dequantize(model).isEmpty());
    }
}
