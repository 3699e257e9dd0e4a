package io.jmlx.kernels;

import io.jmlx.backend.RopeSpec;

/**
 * The cosines and sines of a rotary position embedding, in double precision: what every backend's RoPE kernel
 * rotates by (the CPU kernel, and the GPU's table), so that they turn by the same angles.
 */
public final class RopeAngles {
    private RopeAngles() {}

    /**
     * Fills {@code cos} and {@code sin} (each {@code spec.length() × spec.dims()/2}) for sequence index {@code l} and
     * pair {@code j} at {@code l·dims/2 + j}: the angle {@code scale·(offset + l) · base^(−2j/dims)}.
     */
    public static void compute(RopeSpec spec, double[] cos, double[] sin) {
        int half = spec.dims() / 2;
        for (int l = 0; l < spec.length(); l++) {
            double position = (double) spec.scale() * ((long) spec.offset() + l);
            for (int j = 0; j < half; j++) {
                double angle = position * Math.pow(spec.base(), -2.0 * j / spec.dims());
                cos[l * half + j] = Math.cos(angle);
                sin[l * half + j] = Math.sin(angle);
            }
        }
    }
}
