package io.jmlx.kernels.vector;

import jdk.incubator.vector.FloatVector;

/**
 * Lane reductions in a fixed order. {@code reduceLanes(ADD)} leaves the order of additions unspecified (compiled
 * and interpreted code differ), which would make float results depend on JIT state; kernels use this instead.
 */
final class Lanes {
    private Lanes() {
    }

    /** The lanes of {@code v} added first to last. */
    static float sum(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0f;
        for (float lane : lanes) {
            s += lane;
        }
        return s;
    }
}
