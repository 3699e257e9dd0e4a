package io.jmlx.bench;

/**
 * What one op of a benchmark case moves and computes, for the report's rates.
 *
 * @param label what the case is, e.g. {@code 4096x4096 M=1 b4 g64}
 * @param bytes bytes the rate in GB/s counts per op (weights for a matmul, the input for quantize), or NaN
 * @param flops floating-point operations per op (2·M·N·K for a matmul), or NaN
 */
record Workload(String label, double bytes, double flops) {}
