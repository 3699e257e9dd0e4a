package io.jmlx;

import java.util.Arrays;

/** Helpers for shapes, which jmlx keeps as {@code int[]} (row-major, last axis fastest). */
public final class Shape {
    private Shape() {}

    /** Number of elements of {@code shape} (1 for a scalar); throws for negative dims or overflow. */
    public static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + format(shape) + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** MLX's way of printing a shape: {@code (4,48)}. */
    public static String format(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ",").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** The leading dimensions {@code shape[0..ndim-2)} (the batch dims of a matrix or stack of matrices). */
    public static int[] batch(int[] shape) {
        return Arrays.copyOf(shape, Math.max(0, shape.length - 2));
    }

    /** {@code shape} with its last dimension replaced. */
    public static int[] withLast(int[] shape, int last) {
        int[] s = shape.clone();
        s[s.length - 1] = last;
        return s;
    }

    /** Concatenation of two shapes. */
    public static int[] concat(int[] a, int... b) {
        int[] s = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, s, a.length, b.length);
        return s;
    }

    /**
     * NumPy broadcasting of two shapes; throws naming both when they are incompatible.
     *
     * @param op the op name for the message, e.g. {@code quantized_matmul}
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(
                        "[" + op + "] Shapes " + format(a) + " and " + format(b) + " cannot be broadcast.");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * The flat index into an array of shape {@code from} that broadcasts to element {@code flat} of shape
     * {@code to} (dims of size 1, and missing leading dims, repeat).
     */
    public static long broadcastIndex(int[] to, long flat, int[] from) {
        long index = 0;
        long stride = 1;
        for (int i = to.length - 1, j = from.length - 1; i >= 0; i--, j--) {
            int coord = (int) (flat % to[i]);
            flat /= to[i];
            if (j >= 0) {
                if (from[j] != 1) {
                    index += coord * stride;
                }
                stride *= from[j];
            }
        }
        return index;
    }
}
