package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * MLX's {@code take(a, indices, axis)}: the slices of {@code a} along {@code axis} picked by an integer index array
 * of any shape, so the result has shape {@code a.shape[:axis] + indices.shape + a.shape[axis+1:]}. Negative indices
 * count from the end (as MLX); an index outside {@code [-size, size)} fails the computation with a message naming it.
 */
final class TakeOp {
    private static final String NAME = "take";
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TakeOp() {}

    static Array take(Array a, Array indices, int axis, StreamOrDevice s) {
        int[] shape = a.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException(
                    "[take] Cannot take from a 0-dimensional array; a needs at least one axis.");
        }
        int ax = axis < 0 ? axis + shape.length : axis;
        if (ax < 0 || ax >= shape.length) {
            throw new IllegalArgumentException(
                    "[take] Received invalid axis " + axis + " for array with " + shape.length + " dimensions.");
        }
        DType indexType = indices.dtype();
        if (!indexType.isInteger()) {
            throw new IllegalArgumentException(
                    "[take] indices must be an integer array but have type " + indexType + ".");
        }
        int size = shape[ax];
        int[] outShape = Shape.concat(
                Shape.concat(Arrays.copyOf(shape, ax), indices.shape()),
                Arrays.copyOfRange(shape, ax + 1, shape.length));
        long outer = Shape.size(Arrays.copyOf(shape, ax));
        long sliceBytes = Shape.size(Arrays.copyOfRange(shape, ax + 1, shape.length))
                * a.dtype().byteSize();
        long count = indices.size();
        return Scheduler.submit(NAME, s, new Array[] {a, indices}, outShape, a.dtype(), (in, out) -> {
            long target = 0;
            for (long o = 0; o < outer; o++) {
                long base = o * size * sliceBytes;
                for (long i = 0; i < count; i++) {
                    long index = indexAt(in[1], indexType, i);
                    if (index < -size || index >= size) {
                        throw new IndexOutOfBoundsException("[take] Index " + index + " (element " + i
                                + " of indices) is out of range for axis " + ax + " of size " + size
                                + "; valid indices are -" + size + " to " + (size - 1) + ".");
                    }
                    long row = index < 0 ? index + size : index;
                    MemorySegment.copy(in[0], base + row * sliceBytes, out[0], target, sliceBytes);
                    target += sliceBytes;
                }
            }
        });
    }

    private static long indexAt(MemorySegment seg, DType t, long i) {
        return switch (t) {
            case INT32 -> seg.getAtIndex(I32, i);
            case UINT32 -> seg.getAtIndex(I32, i) & 0xFFFFFFFFL;
            case INT64, UINT64 -> seg.getAtIndex(I64, i);
            default -> (long) Elements.getDouble(seg, t, i);
        };
    }
}
