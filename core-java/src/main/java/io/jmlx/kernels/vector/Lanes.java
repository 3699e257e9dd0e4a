package io.jmlx.kernels.vector;

import jdk.incubator.vector.FloatVector;

/**
 * Lane reductions in a fixed order. {@code reduceLanes(ADD)} leaves the order of additions unspecified (compiled
 * and interpreted code differ), which would make float results depend on JIT state; kernels use this instead.
 */
final class Lanes {
    private Lanes() {}

    private static final ThreadLocal<float[]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[FloatVector.SPECIES_PREFERRED.length()]);

    /** The lanes of {@code v} added first to last. */
    static float sum(FloatVector v) {
        return sum(v, SCRATCH.get());
    }

    /** The lanes of {@code v} added first to last, through {@code scratch} (at least one vector long). */
    static float sum(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += scratch[i];
        }
        return s;
    }
}
