package io.jmlx.backend;

import io.jmlx.DType;

/**
 * A gather along one axis ({@code take}): {@code outer} blocks of {@code axisSize} slices of {@code sliceBytes}
 * bytes, from which {@code count} indices (of {@code indexType}; negative ones count from the end) pick slices.
 */
public record TakeSpec(long outer, int axisSize, long sliceBytes, long count, DType indexType, int axis) {

    /** The error for {@code index}, element {@code position} of the indices, outside {@code [-axisSize, axisSize)}. */
    public IndexOutOfBoundsException indexOutOfRange(long index, long position) {
        return new IndexOutOfBoundsException("[take] Index " + index + " (element " + position
                + " of indices) is out of range for axis " + axis + " of size " + axisSize + "; valid indices are -"
                + axisSize + " to " + (axisSize - 1) + ".");
    }
}
