package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/**
 * The data of a quantized matrix: packed uint32 codes, scales (of the dense type for affine, uint8 for the
 * microscaling modes) and affine biases ({@code null} for the microscaling modes).
 */
public record QuantizedBuffers(MemorySegment packed, MemorySegment scales, MemorySegment biases) {}
