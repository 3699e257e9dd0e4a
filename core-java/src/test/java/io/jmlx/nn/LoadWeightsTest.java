package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.testing.RandomArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Module#loadWeights}: strict and lenient key matching with MLX's messages, shape and type checks, all or nothing. */
class LoadWeightsTest {
    private final Sequential model = new Sequential(new Linear(8, 4), new TestModules.Relu(), new Linear(4, 2, false));

    private Map<String, Array> freshWeights() {
        Map<String, Array> w = new LinkedHashMap<>();
        w.put("layers.0.weight", RandomArrays.normal(1, 1, DType.FLOAT32, 4, 8));
        w.put("layers.0.bias", RandomArrays.normal(2, 1, DType.FLOAT32, 4));
        w.put("layers.2.weight", RandomArrays.normal(3, 1, DType.FLOAT32, 2, 4));
        return w;
    }

    @Test
    void strictLoadReplacesEveryParameterAndTheForwardPassUsesThem() {
        Map<String, Array> w = freshWeights();
        model.loadWeights(w, true);
        assertEquals(w, model.parameters());
        Array x = RandomArrays.normal(4, 1, DType.FLOAT32, 3, 8);
        Sequential expected = new Sequential(
                new Linear(w.get("layers.0.weight"), w.get("layers.0.bias")),
                new TestModules.Relu(),
                new Linear(w.get("layers.2.weight"), null));
        assertArrayEquals(expected.forward(x).toFloatArray(), model.forward(x).toFloatArray());
    }

    @Test
    void strictLoadNamesUnexpectedKeys() {
        Map<String, Array> w = freshWeights();
        w.put("layers.2.bias", Array.zeros(DType.FLOAT32, 2));
        w.put("layers.1.weight", Array.zeros(DType.FLOAT32, 2));
        Map<String, Array> before = model.parameters();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadWeights(w, true));
        assertEquals("Received 2 parameters not in model: \nlayers.1.weight,\nlayers.2.bias.", e.getMessage());
        assertEquals(before, model.parameters(), "nothing was loaded");
    }

    @Test
    void strictLoadNamesMissingKeys() {
        Map<String, Array> w = freshWeights();
        w.remove("layers.0.bias");
        w.remove("layers.2.weight");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadWeights(w, true));
        assertEquals("Missing 2 parameters: \nlayers.0.bias,\nlayers.2.weight.", e.getMessage());
    }

    @Test
    void lenientLoadIgnoresUnknownKeysAndKeepsMissingOnes() {
        Array keptBias = model.parameters().get("layers.0.bias");
        Map<String, Array> w = freshWeights();
        w.remove("layers.0.bias");
        w.put("lm_head.weight", Array.zeros(DType.FLOAT32, 3, 3));
        model.loadWeights(w, false);
        assertSame(keptBias, model.parameters().get("layers.0.bias"));
        assertSame(w.get("layers.2.weight"), model.parameters().get("layers.2.weight"));
    }

    @Test
    void shapesMustMatchAndNothingLoadsOtherwise() {
        Map<String, Array> before = model.parameters();
        Map<String, Array> w = freshWeights();
        w.put("layers.2.weight", Array.zeros(DType.FLOAT32, 4, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadWeights(w, false));
        assertEquals("Expected shape (2,4) but received shape (4,2) for parameter layers.2.weight", e.getMessage());
        assertEquals(before, model.parameters(), "the earlier, valid keys were not loaded either");
    }

    @Test
    void floatingParametersTakeAnyFloatingTypeOthersExactlyTheirs() {
        Map<String, Array> w = freshWeights();
        w.put("layers.0.weight", RandomArrays.normal(5, 1, DType.BFLOAT16, 4, 8));
        model.loadWeights(w, true);
        assertEquals(DType.BFLOAT16, model.parameters().get("layers.0.weight").dtype());

        w.put("layers.0.weight", Array.zeros(DType.INT32, 4, 8));
        IllegalArgumentException ints = assertThrows(IllegalArgumentException.class, () -> model.loadWeights(w, true));
        assertEquals("Expected a floating dtype but received int32 for parameter layers.0.weight", ints.getMessage());

        QuantizedLinear q = QuantizedLinear.fromLinear(new Linear(64, 4, false));
        Map<String, Array> qw = new LinkedHashMap<>(q.parameters());
        qw.put("weight", Array.zeros(DType.FLOAT32, 4, 8));
        IllegalArgumentException packed = assertThrows(IllegalArgumentException.class, () -> q.loadWeights(qw, true));
        assertEquals("Expected dtype uint32 but received float32 for parameter weight", packed.getMessage());
    }

    @Test
    void nullArraysAreRejected() {
        Map<String, Array> w = freshWeights();
        w.put("layers.0.bias", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadWeights(w, true));
        assertEquals("Expected an Array but received null for parameter layers.0.bias", e.getMessage());
    }
}
