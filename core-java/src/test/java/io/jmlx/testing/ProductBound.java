package io.jmlx.testing;

import io.jmlx.DType;

/**
 * How far a matmul output computed as jmlx computes it may lie from the exact product: each output is a sum of
 * {@code K} products accumulated in float32 (every term passes through at most {@code K + 4} roundings: the
 * weight's {@code s·q + b}, the product, the group's and the row's sums, the group scale and bias), then rounded
 * once to the output type T. With {@code u} float32's unit roundoff, {@code γ_n = n·u / (1 − n·u)} and
 * {@code M = Σ|x|·|w|} the magnitude of the terms, the textbook bound for any summation order gives
 *
 * <pre>{@code |a − y| ≤ u_T·|y| + (1 + u_T)·γ_{K+4}·M + (K + 2)·2^-52·M + η_T}</pre>
 *
 * where {@code y} is the exact sum (computed in float64, whose own error is the third term) and {@code η_T} the
 * smallest subnormal of T (underflow). Unlike a statistical bound on half-type accumulation, this is tight: a wrong
 * value by 1% or an output of zeros falls outside it unless the terms cancel almost exactly.
 */
public final class ProductBound {
    private static final double U32 = 0x1p-24;

    private ProductBound() {}

    /** Unit roundoff of a floating type: half the distance from 1 to the next value. */
    public static double unitRoundoff(DType t) {
        return switch (t) {
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            case FLOAT64 -> 0x1p-53;
            default -> U32;
        };
    }

    private static double smallestSubnormal(DType t) {
        return switch (t) {
            case FLOAT16 -> 0x1p-24;
            case BFLOAT16 -> 0x1p-133;
            default -> Float.MIN_VALUE;
        };
    }

    /** The largest {@code |a − y|} allowed for an output of type {@code t} with exact value {@code exact}. */
    public static double of(DType t, int k, double exact, double magnitude) {
        double ut = unitRoundoff(t);
        double n = k + 4.0;
        double gamma = n * U32 / (1 - n * U32);
        return ut * Math.abs(exact)
                + (1 + ut) * gamma * magnitude
                + (k + 2) * 0x1p-52 * magnitude
                + smallestSubnormal(t);
    }

    /**
     * The first output of {@code actual} outside the bound of {@code exact} (NaN and infinities included), or -1
     * when every output is within it. Outputs whose {@code skip} entry is true are not checked ({@code skip} may be
     * {@code null}).
     */
    public static int firstOutside(DType t, int k, float[] actual, double[] exact, double[] magnitude, boolean[] skip) {
        for (int i = 0; i < actual.length; i++) {
            if (skip != null && skip[i]) {
                continue;
            }
            double bound = of(t, k, exact[i], magnitude[i]);
            if (!(Math.abs(actual[i] - exact[i]) <= bound)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Null when every output of {@code actual} is within the bound of one of the {@code references} (the exact
     * products of the weight values an implementation may multiply by), else a message naming the first output
     * outside the bound of each.
     */
    public static String check(
            DType t, int k, float[] actual, double[] magnitude, boolean[] skip, double[]... references) {
        StringBuilder why = new StringBuilder();
        for (int r = 0; r < references.length; r++) {
            double[] exact = references[r];
            int i = firstOutside(t, k, actual, exact, magnitude, skip);
            if (i < 0) {
                return null;
            }
            why.append(r == 0 ? "" : "; ")
                    .append("reference ")
                    .append(r)
                    .append(": output ")
                    .append(i)
                    .append(" is ")
                    .append(actual[i])
                    .append(", exact ")
                    .append(exact[i])
                    .append(", |diff| ")
                    .append(Math.abs(actual[i] - exact[i]))
                    .append(" > bound ")
                    .append(of(t, k, exact[i], magnitude[i]))
                    .append(" (K ")
                    .append(k)
                    .append(", magnitude ")
                    .append(magnitude[i])
                    .append(')');
        }
        return why.toString();
    }

    /** The largest share of its bound any checked output of {@code actual} uses, against {@code exact}. */
    public static double largestShare(
            DType t, int k, float[] actual, double[] exact, double[] magnitude, boolean[] skip) {
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            if (skip == null || !skip[i]) {
                worst = Math.max(worst, Math.abs(actual[i] - exact[i]) / of(t, k, exact[i], magnitude[i]));
            }
        }
        return worst;
    }
}
