package io.jmlx.backend;

import java.util.Arrays;

/**
 * A row-major array seen as lines along one axis: shape {@code [outer, length, inner]}, where {@code outer} is the
 * product of the dimensions before the axis and {@code inner} of those after it. Line {@code l = o·inner + i} holds
 * the elements {@code (o·length + k)·inner + i} for {@code k < length}; reductions, softmax and the norms work on
 * whole lines.
 */
public record AxisLines(long outer, int length, long inner) {

    /** The lines of {@code shape} along {@code axis} (already normalized to {@code [0, shape.length)}). */
    public static AxisLines of(int[] shape, int axis) {
        return new AxisLines(
                size(Arrays.copyOf(shape, axis)), shape[axis], size(Arrays.copyOfRange(shape, axis + 1, shape.length)));
    }

    private static long size(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Number of lines. */
    public long count() {
        return outer * inner;
    }

    /** Flat index of element 0 of line {@code line}. */
    public long first(long line) {
        return (line / inner) * length * inner + line % inner;
    }
}
