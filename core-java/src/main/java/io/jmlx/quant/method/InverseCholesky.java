package io.jmlx.quant.method;

/**
 * The upper-triangular {@code U} with {@code H⁻¹ = Uᵀ U} for a symmetric positive-definite {@code H}, the factor
 * GPTQ walks along: row {@code i} of {@code U} says how the error made in column {@code i} spreads over the later
 * columns. Computed without forming {@code H⁻¹}: the lower Cholesky factor {@code M} of {@code H} with rows and
 * columns reversed gives {@code H = R Rᵀ} with {@code R} upper, so {@code U = R⁻¹}. Double precision, row-major.
 */
final class InverseCholesky {
    private InverseCholesky() {}

    /**
     * {@code U} for the {@code n × n} matrix {@code h} (row-major, read only).
     *
     * @throws ArithmeticException if {@code h} is not positive definite
     */
    static double[] of(double[] h, int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = h[(n - 1 - i) * n + (n - 1 - j)];
            }
        }
        choleskyLowerInPlace(a, n);
        invertLowerInPlace(a, n);
        // U = R⁻¹ where R is M reversed: U[i][j] = M⁻¹[n-1-i][n-1-j].
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                u[i * n + j] = a[(n - 1 - i) * n + (n - 1 - j)];
            }
        }
        return u;
    }

    /** Overwrites the lower triangle of {@code a} with its Cholesky factor (the upper triangle is left as it was). */
    static void choleskyLowerInPlace(double[] a, int n) {
        for (int j = 0; j < n; j++) {
            int rj = j * n;
            double d = a[rj + j] - dot(a, rj, a, rj, j);
            if (!(d > 0)) {
                throw new ArithmeticException("the matrix is not positive definite (pivot " + j + " is " + d + ")");
            }
            double l = Math.sqrt(d);
            a[rj + j] = l;
            double inv = 1 / l;
            for (int i = j + 1; i < n; i++) {
                int ri = i * n;
                a[ri + j] = (a[ri + j] - dot(a, ri, a, rj, j)) * inv;
            }
        }
    }

    /** Overwrites the lower triangle of {@code a} (a lower-triangular matrix) with its inverse. */
    static void invertLowerInPlace(double[] a, int n) {
        // Row by row: X = L⁻¹ satisfies X[i][j] = (δij − Σ_{j≤k<i} L[i][k] X[k][j]) / L[i][i]; rows above i are final.
        double[] row = new double[n];
        for (int i = 0; i < n; i++) {
            int ri = i * n;
            java.util.Arrays.fill(row, 0, i + 1, 0);
            for (int k = 0; k < i; k++) {
                double lik = a[ri + k];
                int rk = k * n;
                for (int j = 0; j <= k; j++) {
                    row[j] += lik * a[rk + j];
                }
            }
            double inv = 1 / a[ri + i];
            for (int j = 0; j < i; j++) {
                a[ri + j] = -row[j] * inv;
            }
            a[ri + i] = inv;
        }
    }

    /** {@code Σ_{k<len} x[xFrom + k] · y[yFrom + k]}, four partial sums. */
    private static double dot(double[] x, int xFrom, double[] y, int yFrom, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (; k + 3 < len; k += 4) {
            s0 += x[xFrom + k] * y[yFrom + k];
            s1 += x[xFrom + k + 1] * y[yFrom + k + 1];
            s2 += x[xFrom + k + 2] * y[yFrom + k + 2];
            s3 += x[xFrom + k + 3] * y[yFrom + k + 3];
        }
        for (; k < len; k++) {
            s0 += x[xFrom + k] * y[yFrom + k];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
