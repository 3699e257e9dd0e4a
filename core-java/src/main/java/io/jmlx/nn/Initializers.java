package io.jmlx.nn;

import io.jmlx.Array;
import io.jmlx.Shape;
import java.util.concurrent.ThreadLocalRandom;

/** Float32 starting values for layers built from their dimensions (MLX's default initializations). */
final class Initializers {
    private Initializers() {}

    /** Uniform in {@code [-bound, bound)}. */
    static Array uniform(float bound, int... shape) {
        float[] v = new float[Math.toIntExact(Shape.size(shape))];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextDouble(-bound, bound);
        }
        return Array.of(v, shape);
    }

    /** Normal with mean 0 and standard deviation {@code std}. */
    static Array normal(float std, int... shape) {
        float[] v = new float[Math.toIntExact(Shape.size(shape))];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian() * std;
        }
        return Array.of(v, shape);
    }

    /** Ones: the starting scale of the norms. */
    static Array ones(int... shape) {
        float[] v = new float[Math.toIntExact(Shape.size(shape))];
        java.util.Arrays.fill(v, 1);
        return Array.of(v, shape);
    }
}
