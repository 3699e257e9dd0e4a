package io.jmlx.io;

import io.jmlx.DType;
import io.jmlx.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor entry of a safetensors header: its name, dtype, shape, and the byte range {@code [begin, end)} of
 * its data, relative to the start of the file's data buffer (as the header's {@code data_offsets} give it).
 */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
    /** Copies {@code shape}, so the record cannot be changed afterwards. */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** The shape (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of bytes of data, {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && name.equals(t.name)
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && begin == t.begin
                && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + ", " + dtype.safetensorsCode() + " " + Shape.format(shape) + ", bytes " + begin
                + ".." + end + "]";
    }
}
