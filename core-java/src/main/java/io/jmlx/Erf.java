package io.jmlx;

/**
 * The error function {@code erf(x) = 2/√π ∫₀ˣ e^(−t²) dt} in double precision (Java's {@code Math} has none):
 * a series of positive terms below |x| = 3, and a continued fraction for {@code erfc} above.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SERIES_LIMIT = 3;
    private static final int FRACTION_TERMS = 60;

    private Erf() {
    }

    /** {@code erf(x)}, accurate to a few units in the last place of a double. */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double value = ax < SERIES_LIMIT ? series(ax) : 1 - complementLargeArgument(ax);
        return Math.copySign(value, x);
    }

    /** {@code erf(x) = 2/√π · e^(−x²) · Σ (2x²)ⁿ x / (1·3·…·(2n+1))}: every term positive, so no cancellation. */
    private static double series(double x) {
        double twoXSquared = 2 * x * x;
        double term = x;
        double sum = x;
        for (int n = 1; term > sum * 1e-17; n++) {
            term *= twoXSquared / (2 * n + 1);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
    }

    /** {@code erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))} for {@code x ≥ 3}. */
    private static double complementLargeArgument(double x) {
        double f = x;
        for (int k = FRACTION_TERMS; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
    }
}
