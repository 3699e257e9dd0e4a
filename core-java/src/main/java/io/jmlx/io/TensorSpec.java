package io.jmlx.io;

import io.jmlx.DType;
import io.jmlx.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to be written: its name, dtype and shape, known before its data is (a safetensors header lists every
 * tensor before the first byte of data).
 */
public record TensorSpec(String name, DType dtype, int[] shape) {
    /** Copies {@code shape}, so the record cannot be changed afterwards. */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** The shape (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of bytes of data: elements times the dtype's size. */
    public long byteSize() {
        return Math.multiplyExact(Shape.size(shape), (long) dtype.byteSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Shape.format(shape);
    }
}
