package io.jmlx.kernels.vector;

/** {@link WeightRows} of a dense row-major float32 matrix with {@code cols} columns (a multiple of 16): copies. */
record DenseRows(float[] values, int cols) implements WeightRows {
    @Override
    public void decode(long row, int fromBlock, int blocks, float[] out, int outFrom, int stripStride) {
        int at = Math.toIntExact(row * cols) + fromBlock * LaneShapes.BLOCK;
        for (int b = 0; b < blocks; b++) {
            System.arraycopy(
                    values,
                    at + b * LaneShapes.BLOCK,
                    out,
                    BlockDecoder.blockStart(b, outFrom, stripStride),
                    LaneShapes.BLOCK);
        }
    }
}
