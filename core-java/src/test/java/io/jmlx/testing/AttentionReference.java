package io.jmlx.testing;

/**
 * Scaled dot-product attention in float64 for tests, with a bound on what a float32 computation of it may be off by:
 * the scores' float32 sums and the mask's addition (each off by at most (dims + 2) units of 2⁻²⁴ of the magnitudes
 * they add), shifting every softmax weight by twice the worst such error, and the float32 softmax and weighted sum
 * ((keys + 8) units of 2⁻²⁴ of the weighted magnitudes); twice that, for slack.
 */
public final class AttentionReference {
    private static final double U = 0x1p-24;

    /** {@code [batch·heads·queries·dims]} exact outputs and the bound for each. */
    public record Result(double[] values, double[] bounds) {}

    private AttentionReference() {}

    /**
     * q {@code [bh, lq, d]}, k and v {@code [bh, lk, d]} flattened; {@code mask} (or {@code null}) is indexed by the
     * function from (head index bh, query i, key j) to its value.
     */
    public static Result compute(
            float[] q, float[] k, float[] v, int bh, int lq, int lk, int d, float scale, MaskValues mask) {
        double[] values = new double[bh * lq * d];
        double[] bounds = new double[values.length];
        double[] scores = new double[lk];
        double[] errors = new double[lk];
        for (int h = 0; h < bh; h++) {
            for (int i = 0; i < lq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                double worst = 0;
                for (int j = 0; j < lk; j++) {
                    double s = 0;
                    double magnitude = 0;
                    for (int x = 0; x < d; x++) {
                        double term = (double) scale * q[(h * lq + i) * d + x] * k[(h * lk + j) * d + x];
                        s += term;
                        magnitude += Math.abs(term);
                    }
                    double m = mask == null ? 0 : mask.at(h, i, j);
                    scores[j] = s + m;
                    errors[j] = (d + 2) * U * magnitude + U * (Math.abs(s) + Math.abs(m));
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < lk; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                    if (scores[j] > 0) {
                        worst = Math.max(worst, errors[j]);
                    }
                }
                for (int x = 0; x < d; x++) {
                    double y = 0;
                    double weighted = 0;
                    for (int j = 0; j < lk; j++) {
                        double p = scores[j] / sum;
                        y += p * v[(h * lk + j) * d + x];
                        weighted += p * Math.abs(v[(h * lk + j) * d + x]);
                    }
                    values[(h * lq + i) * d + x] = y;
                    bounds[(h * lq + i) * d + x] = 2 * weighted * (4 * worst + (lk + 8) * U) + Float.MIN_NORMAL;
                }
            }
        }
        return new Result(values, bounds);
    }

    /** The additive mask's value for head index {@code bh}, query {@code i} and key {@code j}. */
    @FunctionalInterface
    public interface MaskValues {
        double at(int bh, int i, int j);
    }
}
