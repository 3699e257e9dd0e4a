package io.jmlx.backend;

import io.jmlx.DType;

/**
 * A normalization over the last axis: {@code rows} rows of {@code size} elements of {@code x}, {@code eps}, and the
 * types of x, the optional weight and bias ({@code null} when absent) and the output.
 */
public record NormSpec(long rows, int size, float eps, DType x, DType weight, DType bias, DType out) {}
