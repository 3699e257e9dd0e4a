package io.jmlx.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The module tree: dotted paths, leaf traversal, flattened parameters, lookup and in-place replacement. */
class ModuleTreeTest {
    private final TestModules.CausalLm lm = new TestModules.CausalLm(40, 64, 128, 2);

    @Test
    void leafModulesAreVisitedDepthFirstWithDottedPaths() {
        assertEquals(
                List.of(
                        "model.embed_tokens",
                        "model.layers.0.mlp.up_proj",
                        "model.layers.0.mlp.act",
                        "model.layers.0.mlp.down_proj",
                        "model.layers.1.mlp.up_proj",
                        "model.layers.1.mlp.act",
                        "model.layers.1.mlp.down_proj",
                        "lm_head"),
                List.copyOf(lm.leafModules().keySet()));
        assertSame(
                lm.model.get().layers.get(1).mlp.get().downProj.get(),
                lm.leafModules().get("model.layers.1.mlp.down_proj"));
    }

    @Test
    void parametersAreFlattenedByPathOwnParametersFirst() {
        assertEquals(
                List.of(
                        "model.embed_tokens.weight",
                        "model.layers.0.gain",
                        "model.layers.0.mlp.up_proj.weight",
                        "model.layers.0.mlp.down_proj.weight",
                        "model.layers.0.mlp.down_proj.bias",
                        "model.layers.1.gain",
                        "model.layers.1.mlp.up_proj.weight",
                        "model.layers.1.mlp.down_proj.weight",
                        "model.layers.1.mlp.down_proj.bias",
                        "lm_head.weight"),
                List.copyOf(lm.parameters().keySet()));
        Linear up = (Linear) lm.module("model.layers.0.mlp.up_proj");
        assertSame(up.weight(), lm.parameters().get("model.layers.0.mlp.up_proj.weight"));
        assertEquals(List.of(128, 64), List.of(up.outputDims(), up.inputDims()));
    }

    @Test
    void sequentialNamesItsLayersLikeMlx() {
        Sequential s = new Sequential(new Embedding(5, 32), new TestModules.Relu(), new Linear(32, 8));
        assertEquals(
                List.of("layers.0", "layers.1", "layers.2"),
                List.copyOf(s.leafModules().keySet()));
        assertEquals(
                List.of("layers.0.weight", "layers.2.weight", "layers.2.bias"),
                List.copyOf(s.parameters().keySet()));
        assertEquals(List.of("layers"), List.copyOf(s.children().keySet()));
        assertInstanceOf(ModuleList.class, s.module("layers"));
        assertEquals(3, s.layers().size());
    }

    @Test
    void aLeafHasNoLeavesBelowIt() {
        assertTrue(new Linear(4, 4).leafModules().isEmpty());
        assertTrue(new Sequential().leafModules().isEmpty(), "an empty list is not a leaf");
    }

    @Test
    void lookupNamesTheMissingStep() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> lm.module("model.layers.7.mlp"));
        assertEquals(
                "No module at 'model.layers.7.mlp': 'model.layers' has no child '7' (its children: 0, 1).",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lm.module(""));
    }

    @Test
    void replacingAModuleChangesTheForwardPass() {
        Array x = Array.of(new float[] {1, -2, 3, -4}, 1, 4);
        Sequential s = new Sequential(new Linear(Array.of(new float[] {1, 0, 0, 0, 0, 1, 0, 0}, 2, 4), null));
        assertEquals(List.of(1f, -2f), boxed(s.forward(x).toFloatArray()));
        Linear swapped = new Linear(Array.of(new float[] {0, 0, 1, 0, 0, 0, 0, 1}, 2, 4), null);
        s.replaceModule("layers.0", swapped);
        assertSame(swapped, s.layers().get(0));
        assertEquals(List.of(3f, -4f), boxed(s.forward(x).toFloatArray()));
    }

    @Test
    void replacementsMustFitTheDeclaredTypeAllOrNothing() {
        Layer up = lm.model.get().layers.get(0).mlp.get().upProj.get();
        Linear replacement = new Linear(64, 128, false);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> lm.updateModules(
                        Map.of("model.layers.0.mlp.up_proj", replacement, "model.layers.0.mlp", new Linear(4, 4))));
        assertEquals(
                "Cannot put a io.jmlx.nn.Linear at 'model.layers.0.mlp': its parent declares that child as "
                        + "io.jmlx.nn.TestModules$Mlp.",
                e.getMessage());
        assertSame(up, lm.module("model.layers.0.mlp.up_proj"), "nothing was replaced");
        IllegalArgumentException list =
                assertThrows(IllegalArgumentException.class, () -> lm.replaceModule("model.layers", new Sequential()));
        assertTrue(list.getMessage().startsWith("Cannot replace the module list at 'model.layers'"), list.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lm.replaceModule("lm_head", null));
    }

    @Test
    void namesMustBeUniqueAndDotFree() {
        class TwoWeights extends Module {
            TwoWeights(String second) {
                addParameter("weight", Array.zeros(DType.FLOAT32, 2));
                addChild(second, Linear.class, new Linear(2, 2));
            }
        }
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> new TwoWeights("weight"));
        assertTrue(dup.getMessage().endsWith("already has a parameter or child named 'weight'"), dup.getMessage());
        IllegalArgumentException dot = assertThrows(IllegalArgumentException.class, () -> new TwoWeights("a.b"));
        assertTrue(dot.getMessage().endsWith("was given 'a.b'"), dot.getMessage());
    }

    private static List<Float> boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return List.of(out);
    }
}
