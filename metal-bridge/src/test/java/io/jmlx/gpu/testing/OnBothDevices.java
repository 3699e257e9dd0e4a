package io.jmlx.gpu.testing;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.stream.Device;
import java.util.Random;

/**
 * The GPU device (skipped, or failed under {@code CI=true}, without one) and the CPU device, for tests that run an op
 * on both and compare; with random inputs and a line per comparison saying the largest difference seen.
 */
public record OnBothDevices(Device gpu, Device cpu) {

    /** Both devices; skips the calling test when there is no Vulkan device. */
    public static OnBothDevices get() {
        TestGpu.get();
        return new OnBothDevices(Device.gpu(), Device.cpu());
    }

    /** Prints the largest difference a comparison saw (the tolerance table of the README comes from these lines). */
    public void report(String what, Object largest) {
        System.out.println("[gpu-vs-cpu] " + what + ": largest difference " + largest);
    }

    /** Gaussian values times {@code scale} as an array of {@code dtype} and {@code shape}. */
    public Array random(long seed, DType dtype, float scale, int... shape) {
        Random r = new Random(seed);
        float[] v = new float[Math.toIntExact(Shape.size(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return Array.of(v, dtype, shape);
    }

    /**
     * {@code n} values: Gaussian times {@code scale}, every fifth one spread log-uniformly over 2^±40 times
     * {@code scale}, and the special values 0, -0, ±infinity, NaN, ±1, the largest float and tiny magnitudes first.
     */
    public static float[] awkwardValues(long seed, int n, float scale) {
        float[] special = {
            0f,
            -0f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN,
            1f,
            -1f,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            1e-30f,
            -1e-30f,
            0x1p-126f
        };
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            if (i < special.length) {
                v[i] = special[i];
            } else if (i % 5 == 0) {
                v[i] = (float) ((r.nextBoolean() ? 1 : -1) * scale * Math.pow(2, r.nextDouble() * 80 - 40));
            } else {
                v[i] = (float) r.nextGaussian() * scale;
            }
        }
        return v;
    }
}
