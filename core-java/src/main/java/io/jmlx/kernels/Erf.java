package io.jmlx.kernels;

/**
 * The error function {@code erf(x) = 2/√π ∫₀ˣ e^(−t²) dt} in double precision (Java's {@code Math} has none).
 * Fast path: a Taylor polynomial of degree {@value #DEGREE} around the nearest point of a grid of step
 * 1/{@value #STEPS_PER_UNIT} on [0, {@value #TABLE_LIMIT}], whose coefficients are computed once from the exact
 * values (a series of positive terms below 3, a continued fraction for {@code erfc} above) and the derivatives
 * {@code erf⁽ⁿ⁺¹⁾(c) = 2/√π · (−1)ⁿ Hₙ(c) e^(−c²)} (Hermite polynomials). Beyond the grid erf is ±1 in double.
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SERIES_LIMIT = 3;
    private static final int FRACTION_TERMS = 60;
    /** Table points per unit of x. */
    public static final int STEPS_PER_UNIT = 64;
    /** The table covers [0, TABLE_LIMIT]; erf is ±1 beyond. */
    public static final int TABLE_LIMIT = 7;
    /** Degree of the Taylor polynomial at each point. */
    public static final int DEGREE = 8;
    /** Row {@code i}: the Taylor coefficients {@code erf⁽ᵏ⁾(c)/k!} at {@code c = i / STEPS_PER_UNIT}. */
    private static final double[] COEFFICIENTS = buildTaylorTable();

    private Erf() {}

    /** {@code erf(x)}, accurate to a few units in the last place of a double. */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax >= TABLE_LIMIT) {
            return Math.copySign(1, x);
        }
        int i = (int) Math.rint(ax * STEPS_PER_UNIT);
        double h = ax - (double) i / STEPS_PER_UNIT;
        int at = i * (DEGREE + 1);
        double value = COEFFICIENTS[at + DEGREE];
        for (int k = DEGREE - 1; k >= 0; k--) {
            value = value * h + COEFFICIENTS[at + k];
        }
        return Math.copySign(value, x);
    }

    /**
     * A copy of the table: row {@code i} (the point {@code i / STEPS_PER_UNIT}) holds the {@code DEGREE + 1} Taylor
     * coefficients there, lowest first (the GPU evaluates the same polynomials).
     */
    public static double[] taylorTable() {
        return COEFFICIENTS.clone();
    }

    /** {@code erf(x)} from the series or the continued fraction (slow; builds the table). */
    static double exact(double x) {
        double ax = Math.abs(x);
        return Math.copySign(ax < SERIES_LIMIT ? series(ax) : 1 - complementLargeArgument(ax), x);
    }

    private static double[] buildTaylorTable() {
        int points = TABLE_LIMIT * STEPS_PER_UNIT + 1;
        double[] table = new double[points * (DEGREE + 1)];
        double[] hermite = new double[DEGREE];
        for (int i = 0; i < points; i++) {
            double c = (double) i / STEPS_PER_UNIT;
            hermite[0] = 1;
            hermite[1] = 2 * c;
            for (int n = 1; n + 1 < DEGREE; n++) {
                hermite[n + 1] = 2 * c * hermite[n] - 2 * n * hermite[n - 1];
            }
            double gauss = TWO_OVER_SQRT_PI * Math.exp(-c * c);
            int at = i * (DEGREE + 1);
            table[at] = exact(c);
            double factorial = 1;
            for (int k = 1; k <= DEGREE; k++) {
                factorial *= k;
                double sign = (k - 1) % 2 == 0 ? 1 : -1;
                table[at + k] = sign * hermite[k - 1] * gauss / factorial;
            }
        }
        return table;
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
