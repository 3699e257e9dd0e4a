package io.jmlx.quant.method;

import io.jmlx.DType;
import io.jmlx.kernels.AffineGroupParams;
import io.jmlx.kernels.FloatFormats;

/**
 * Chooses one group's affine scale, bias and codes to minimise the (optionally weighted) squared reconstruction
 * error {@code Σ h_j (w_j − ŵ_j)²}, where {@code ŵ_j = scale · code_j + bias} is decoded as MLX decodes it, with
 * the scale and bias already rounded to the weight's dtype.
 *
 * <p>The search, in the spirit of llama.cpp's k-quants: for a sweep of candidate steps around
 * {@code (max − min) / (2^bits − 1)}, anchored at the group's minimum and at its maximum, the codes are rounded
 * and a weighted least-squares fit of {@code w ≈ scale · code + bias} gives the best scale and bias for those
 * codes; the best candidate is then polished by alternating three steps: round the scale and bias to the dtype,
 * re-pick the nearest codes for the rounded values, refit. MLX's own round-to-nearest result is always a candidate
 * and is kept whenever nothing beats it, so the error is never above round-to-nearest's.
 */
final class AffineGroupSearch {
    /** Candidate steps per anchor: multipliers {@code nBins + RMIN + RDELTA · i} for {@code i = 0..STEPS}. */
    private static final int STEPS = 20;

    private static final float RMIN = -1f;
    private static final float RDELTA = 0.1f;
    /** Rounds of round-to-dtype, nearest codes and refit applied to the best candidate. */
    private static final int POLISH = 3;

    private final float nBins;
    private final DType dtype;
    private final int[] trial;

    /** A search for groups of up to {@code maxGroup} weights with scales and biases of {@code dtype}. */
    AffineGroupSearch(int bits, DType dtype, int maxGroup) {
        this.nBins = (1 << bits) - 1;
        this.dtype = dtype;
        this.trial = new int[maxGroup];
    }

    /**
     * Fits {@code w[from, from + size)}: writes the codes to {@code codes[from, from + size)} and the scale and bias
     * (values of the dtype) to {@code scales[group]} and {@code biases[group]}; returns the weighted error.
     *
     * @param h per-weight importance, indexed like {@code w} (non-negative); {@code null}: every weight counts 1
     */
    double fit(float[] w, float[] h, int from, int size, int[] codes, float[] scales, float[] biases, int group) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = from; j < from + size; j++) {
            float v = w[j];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(
                        "w has the non-finite value " + v + " at index " + j + "; jmlx refuses to quantize NaN or Inf");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // MLX's round to nearest: its codes come from the unrounded scale and bias, which are then rounded.
        AffineGroupParams.compute(min, max, nBins, scales, biases, group);
        float rtnScale = scales[group];
        float rtnBias = biases[group];
        for (int j = from; j < from + size; j++) {
            codes[j] = clampCode(Math.rint((w[j] - rtnBias) / rtnScale));
        }
        scales[group] = round(rtnScale);
        biases[group] = round(rtnBias);
        double best = error(w, h, from, size, codes, from, scales[group], biases[group]);
        if (best == 0 || max == min) {
            return best;
        }
        // The sweep: least-squares scale and bias for the codes of each candidate step.
        double bestFitError = Double.POSITIVE_INFINITY;
        double fitScale = 0;
        double fitBias = 0;
        float range = max - min;
        double[] fit = new double[3];
        for (int anchor = 0; anchor < 2; anchor++) {
            for (int i = 0; i <= STEPS; i++) {
                float inverse = (nBins + RMIN + RDELTA * i) / range;
                for (int j = 0; j < size; j++) {
                    float v = w[from + j];
                    trial[j] = anchor == 0
                            ? clampCode(Math.rint(inverse * (v - min)))
                            : (int) nBins - clampCode(Math.rint(inverse * (max - v)));
                }
                if (leastSquares(w, h, from, size, fit) && fit[2] < bestFitError) {
                    bestFitError = fit[2];
                    fitScale = fit[0];
                    fitBias = fit[1];
                }
            }
        }
        if (bestFitError == Double.POSITIVE_INFINITY) {
            return best;
        }
        // Polish with the dtype's rounding in the loop; keep whatever decodes best.
        for (int round = 0; round < POLISH; round++) {
            float s = round((float) fitScale);
            float b = round((float) fitBias);
            if (!Float.isFinite(s) || !Float.isFinite(b)) {
                break;
            }
            nearestCodes(w, from, size, s, b);
            double e = error(w, h, from, size, trial, 0, s, b);
            if (e < best) {
                best = e;
                scales[group] = s;
                biases[group] = b;
                System.arraycopy(trial, 0, codes, from, size);
            }
            if (!leastSquares(w, h, from, size, fit)) {
                break;
            }
            fitScale = fit[0];
            fitBias = fit[1];
        }
        return best;
    }

    /** The codes nearest to each weight on the grid {@code s · q + b}, into {@code trial[0, size)}. */
    private void nearestCodes(float[] w, int from, int size, float s, float b) {
        for (int j = 0; j < size; j++) {
            trial[j] = s == 0 ? 0 : clampCode(Math.rint((w[from + j] - b) / s));
        }
    }

    /**
     * Weighted least squares of {@code w ≈ s · trial + b}: {@code out = {s, b, error}}; false when the codes are all
     * equal (no unique fit).
     */
    private boolean leastSquares(float[] w, float[] h, int from, int size, double[] out) {
        double sw = 0;
        double sl = 0;
        double sl2 = 0;
        double sx = 0;
        double sxl = 0;
        double sx2 = 0;
        for (int j = 0; j < size; j++) {
            double weight = h == null ? 1 : h[from + j];
            double l = trial[j];
            double x = w[from + j];
            sw += weight;
            sl += weight * l;
            sl2 += weight * l * l;
            sx += weight * x;
            sxl += weight * x * l;
            sx2 += weight * x * x;
        }
        double det = sw * sl2 - sl * sl;
        if (!(det > 1e-12 * sw * sl2) || sw == 0) {
            return false;
        }
        double s = (sw * sxl - sx * sl) / det;
        double b = (sx - s * sl) / sw;
        out[0] = s;
        out[1] = b;
        out[2] = sx2 - 2 * (s * sxl + b * sx) + s * s * sl2 + 2 * s * b * sl + b * b * sw;
        return true;
    }

    /** {@code Σ h_j (w_j − ŵ_j)²} with {@code ŵ} decoded as {@code dequantize} decodes it in the dtype. */
    private double error(float[] w, float[] h, int from, int size, int[] q, int qFrom, float s, float b) {
        double sum = 0;
        for (int j = 0; j < size; j++) {
            float decoded = round(round(s * q[qFrom + j]) + b);
            double d = (double) w[from + j] - decoded;
            sum += (h == null ? 1 : h[from + j]) * d * d;
        }
        return sum;
    }

    private int clampCode(double t) {
        return (int) Math.min(Math.max(t, 0), nBins);
    }

    private float round(float v) {
        return FloatFormats.roundTo(dtype, v);
    }
}
