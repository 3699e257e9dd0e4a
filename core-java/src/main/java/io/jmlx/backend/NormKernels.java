package io.jmlx.backend;

import java.lang.foreign.MemorySegment;

/**
 * MLX's fast normalizations with its order of rounding: the statistics from the float32 values, the normalized value
 * rounded to the output type, then multiplied by the weight and added to the bias, each rounded to the output type.
 */
public interface NormKernels {

    /** {@code x / √(mean(x²) + eps) · weight}; {@code weight} is {@code null} when the spec has none. */
    void rmsNorm(NormSpec spec, MemorySegment x, MemorySegment weight, MemorySegment out);

    /** {@code (x − mean) / √(var + eps) · weight + bias}; absent parts are {@code null}. */
    void layerNorm(NormSpec spec, MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out);
}
