package io.jmlx.backend;

import io.jmlx.DType;

/** The shape and type of one matrix product {@code out[m × n] = a[m × k] · b[k × n]}. */
public record MatmulSpec(int m, int k, int n, DType dtype) {}
