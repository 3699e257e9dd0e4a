package io.jmlx.quant.method;

import io.jmlx.kernels.KernelThreads;

/**
 * The upper-triangular {@code U} with {@code H⁻¹ = Uᵀ U} for a symmetric positive-definite {@code H}, the factor
 * GPTQ walks along: row {@code i} of {@code U} says how the error made in column {@code i} spreads over the later
 * columns. Computed without forming {@code H⁻¹}: the lower Cholesky factor {@code M} of {@code H} with rows and
 * columns reversed gives {@code H = R Rᵀ} with {@code R} upper, so {@code U = R⁻¹}. Double precision, row-major.
 */
final class InverseCholesky {
    /** Multiply-adds of a step from which it is split over the kernel threads. */
    private static final long PARALLEL_FROM = 1 << 15;
    /** Rows of the factor per task. */
    private static final int ROWS_PER_TASK = 64;
    /** Rows of the inverse done together. */
    private static final int BLOCK = 8;
    /** Columns of the inverse per task. */
    private static final int COLUMNS_PER_TASK = 128;

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
            int column = j;
            int below = n - j - 1;
            if ((long) below * j < PARALLEL_FROM) {
                column(a, n, column, inv, j + 1, n);
            } else {
                // The rows below the pivot are independent of each other: in chunks over the kernel threads.
                KernelThreads.forEach((below + ROWS_PER_TASK - 1) / ROWS_PER_TASK, t -> {
                    int from = column + 1 + t * ROWS_PER_TASK;
                    column(a, n, column, inv, from, Math.min(n, from + ROWS_PER_TASK));
                });
            }
        }
    }

    /** Column {@code j} of the factor in rows {@code from} to {@code to}, from the columns before it. */
    private static void column(double[] a, int n, int j, double inv, int from, int to) {
        int rj = j * n;
        for (int i = from; i < to; i++) {
            int ri = i * n;
            a[ri + j] = (a[ri + j] - dot(a, ri, a, rj, j)) * inv;
        }
    }

    /**
     * Overwrites the lower triangle of {@code a} (a lower-triangular matrix) with its inverse. Row by row,
     * {@code X = L⁻¹} satisfies {@code X[i][j] = (δij − Σ_{j≤k<i} L[i][k] X[k][j]) / L[i][i]}, the sum taken with
     * {@code k} ascending; rows above {@code i} are final. Rows are done a few at a time: the finished rows' part of
     * their sums first, each finished row read once for all of them (in column chunks over the kernel threads), then
     * the rows of the few in order.
     */
    static void invertLowerInPlace(double[] a, int n) {
        double[] sums = new double[BLOCK * n];
        for (int i0 = 0; i0 < n; i0 += BLOCK) {
            int first = i0;
            int last = Math.min(n, i0 + BLOCK);
            java.util.Arrays.fill(sums, 0);
            if ((long) first * first < PARALLEL_FROM) {
                addFinishedRows(a, n, first, last, sums, 0, first);
            } else {
                KernelThreads.forEach((first + COLUMNS_PER_TASK - 1) / COLUMNS_PER_TASK, t -> {
                    int from = t * COLUMNS_PER_TASK;
                    addFinishedRows(a, n, first, last, sums, from, Math.min(first, from + COLUMNS_PER_TASK));
                });
            }
            for (int i = first; i < last; i++) {
                int ri = i * n;
                int o = (i - first) * n;
                for (int k = first; k < i; k++) {
                    double lik = a[ri + k];
                    int rk = k * n;
                    for (int j = 0; j <= k; j++) {
                        sums[o + j] += lik * a[rk + j];
                    }
                }
                double inv = 1 / a[ri + i];
                for (int j = 0; j < i; j++) {
                    a[ri + j] = -sums[o + j] * inv;
                }
                a[ri + i] = inv;
            }
        }
    }

    /**
     * Adds {@code L[i][k] X[k][j]} for the finished rows {@code k < first} to {@code sums} of rows {@code first} to
     * {@code last}, in columns {@code from} to {@code to}, {@code k} ascending.
     */
    private static void addFinishedRows(double[] a, int n, int first, int last, double[] sums, int from, int to) {
        for (int k = from; k < first; k++) {
            int rk = k * n;
            int end = Math.min(to, k + 1);
            for (int i = first; i < last; i++) {
                double lik = a[i * n + k];
                int o = (i - first) * n;
                for (int j = from; j < end; j++) {
                    sums[o + j] += lik * a[rk + j];
                }
            }
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
