package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.TakeSpec;
import io.jmlx.stream.StreamOrDevice;
import java.util.Arrays;

/**
 * MLX's {@code take(a, indices, axis)}: the slices of {@code a} along {@code axis} picked by an integer index array
 * of any shape, so the result has shape {@code a.shape[:axis] + indices.shape + a.shape[axis+1:]}. Negative indices
 * count from the end (as MLX); an index outside {@code [-size, size)} fails the computation with a message naming it.
 */
public final class TakeOp {
    private static final String NAME = "take";

    private TakeOp() {}

    public static Array take(Array a, Array indices, int axis, StreamOrDevice s) {
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
        TakeSpec spec = new TakeSpec(outer, size, sliceBytes, indices.size(), indexType, ax);
        return Scheduler.submit(
                NAME,
                s,
                new Array[] {a, indices},
                outShape,
                a.dtype(),
                (kernels, in, out) -> kernels.gather().take(spec, in[0], in[1], out[0]));
    }
}
