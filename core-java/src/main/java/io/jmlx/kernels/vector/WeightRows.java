package io.jmlx.kernels.vector;

/**
 * The rows of a weight as float32, in runs of 16-value blocks laid out in strips: what {@link BlockedMatmul} and
 * {@link DecodedMatmul} multiply. Packed weights decode ({@link BlockDecoder}); dense ones copy ({@link DenseRows}).
 * Implementations hold no mutable state; threads share them.
 */
interface WeightRows {
    /**
     * Writes blocks {@code [fromBlock, fromBlock + blocks)} of row {@code row} (values {@code 16·fromBlock} on) into
     * {@code out}: strip {@code s} (two blocks, {@link BlockDecoder#STRIP} values) of the run starts at
     * {@code out[outFrom + s·stripStride]}.
     */
    void decode(long row, int fromBlock, int blocks, float[] out, int outFrom, int stripStride);
}
