package io.jmlx.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The kernel set is the one the build asked for (each surefire execution names one), and choices are checked. */
class KernelSelectionTest {

    @Test
    void theRequestedKernelsAreInUse() {
        String requested = System.getProperty(KernelProvider.PROPERTY);
        assertTrue(requested != null, "the build sets -D" + KernelProvider.PROPERTY);
        assertEquals(requested, KernelProvider.get().name());
    }

    @Test
    void choicesAreChecked() {
        assertTrue(KernelProvider.vectorApiAvailable(), "tests run with --add-modules jdk.incubator.vector");
        assertEquals("vector", KernelProvider.choose("auto").name());
        assertEquals("scalar", KernelProvider.choose("SCALAR").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.choose("gpu"));
        assertEquals("-Djmlx.kernels=gpu is not a kernel set; expected auto, vector or scalar", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelThreads.threads("0"));
        assertEquals(3, KernelThreads.threads("3"));
    }
}
