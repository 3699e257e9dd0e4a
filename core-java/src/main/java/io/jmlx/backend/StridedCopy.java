package io.jmlx.backend;

/**
 * A copy into a new row-major array of {@code shape} whose element at coordinates {@code c} is element
 * {@code start + Σ c[d]·strides[d]} of the source, elements of {@code elementBytes} bytes: what transpose and slice
 * move.
 */
public record StridedCopy(long start, long[] strides, int[] shape, int elementBytes) {
    /** Copies the arrays. */
    public StridedCopy {
        strides = strides.clone();
        shape = shape.clone();
    }

    @Override
    public long[] strides() {
        return strides.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }
}
