package io.jmlx.kernels;

/**
 * The scale and bias MLX's CPU {@code quantize} gives a group from its extremes (spec §1.4), in float32: the sign
 * that keeps the larger-magnitude edge as the bias, the 1e-7 floor, and the snap that puts 0 on the grid. Shared by
 * the scalar reference and the vector kernels' per-group tails, so the two cannot drift apart.
 */
public final class AffineGroupParams {
    /** MLX's floor for |scale|: the float32 value 1e-7 (bits 0x33D6BF95). */
    public static final float EPS = 1e-7f;

    private AffineGroupParams() {}

    /**
     * Computes the group's scale and bias from its minimum and maximum and stores them at {@code index} of
     * {@code scales} and {@code biases} (unrounded float32; codes are computed from these before any rounding).
     *
     * @param nBins {@code 2^bits − 1}
     */
    public static void compute(float wMin, float wMax, float nBins, float[] scales, float[] biases, int index) {
        boolean minIsEdge = Math.abs(wMin) > Math.abs(wMax);
        float scale = (wMax - wMin) / nBins;
        scale = scale < EPS ? EPS : scale;
        scale = minIsEdge ? scale : -scale;
        float edge = minIsEdge ? wMin : wMax;
        float q0 = (float) Math.rint(edge / scale);
        float bias = 0f;
        if (q0 != 0f) {
            scale = edge / q0;
            bias = edge;
        }
        scales[index] = scale;
        biases[index] = bias;
    }
}
