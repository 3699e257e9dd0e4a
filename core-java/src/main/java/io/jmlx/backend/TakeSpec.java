package io.jmlx.backend;

import io.jmlx.DType;

/**
 * A gather along one axis ({@code take}): {@code outer} blocks of {@code axisSize} slices of {@code sliceBytes}
 * bytes, from which {@code count} indices (of {@code indexType}; negative ones count from the end) pick slices.
 */
public record TakeSpec(long outer, int axisSize, long sliceBytes, long count, DType indexType, int axis) {}
