package io.jmlx.backend;

import io.jmlx.DType;

/**
 * A rotary position embedding ({@code fast.rope}) of {@code rows} rows of {@code features} elements whose sequence
 * index is {@code row % length}: the first {@code dims} features rotate in pairs, adjacent ones when
 * {@code traditional}, else the two halves; row {@code l} has position {@code scale · (offset + l)} and pair
 * {@code j} turns by {@code position · base^(−2j/dims)}.
 */
public record RopeSpec(
        long rows,
        int length,
        int features,
        int dims,
        boolean traditional,
        float base,
        float scale,
        int offset,
        DType dtype) {}
