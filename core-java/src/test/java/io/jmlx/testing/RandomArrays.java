package io.jmlx.testing;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import java.util.Random;

/** Seeded random test arrays. */
public final class RandomArrays {
    private RandomArrays() {}

    /** Standard-normal values times {@code scale}, rounded to {@code dtype}. */
    public static Array normal(long seed, float scale, DType dtype, int... shape) {
        Random random = new Random(seed);
        float[] v = new float[Math.toIntExact(Shape.size(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return Array.of(v, dtype, shape);
    }

    /** Float32 values uniform in {@code [0, 1)}, as MLX's {@code mx.random.uniform}. */
    public static Array uniform(long seed, int... shape) {
        Random random = new Random(seed);
        float[] v = new float[Math.toIntExact(Shape.size(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat();
        }
        return Array.of(v, DType.FLOAT32, shape);
    }
}
