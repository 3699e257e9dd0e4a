package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.StridedCopy;
import io.jmlx.stream.StreamOrDevice;
import java.util.Arrays;
import java.util.List;

/**
 * MLX's ops that move elements without computing on them: {@code transpose}, {@code swapaxes}, {@code concatenate}
 * and {@code slice}. Each returns a new row-major array of any dtype; the elements are copied bit for bit.
 */
public final class ShapeOps {
    private ShapeOps() {}

    /** {@code a} with its axes permuted: output axis {@code i} is input axis {@code axes[i]}; no axes: reversed. */
    public static Array transpose(Array a, int[] axes, StreamOrDevice s) {
        int[] shape = a.shape();
        int n = shape.length;
        int[] perm = new int[n];
        if (axes.length == 0) {
            for (int i = 0; i < n; i++) {
                perm[i] = n - 1 - i;
            }
        } else {
            if (axes.length != n) {
                throw new IllegalArgumentException("[transpose] axes must list each of the " + n + " axes of a (shape "
                        + Shape.format(shape) + ") once but has " + axes.length + " entries: " + Arrays.toString(axes)
                        + ".");
            }
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                perm[i] = OpChecks.axis("transpose", "axes entry", axes[i], n);
                if (seen[perm[i]]) {
                    throw new IllegalArgumentException("[transpose] axes must not repeat an axis but "
                            + Arrays.toString(axes) + " names axis " + perm[i] + " twice.");
                }
                seen[perm[i]] = true;
            }
        }
        long[] strides = strides(shape);
        int[] outShape = new int[n];
        long[] inStrides = new long[n];
        for (int i = 0; i < n; i++) {
            outShape[i] = shape[perm[i]];
            inStrides[i] = strides[perm[i]];
        }
        return strided("transpose", a, 0, inStrides, outShape, s);
    }

    /** {@code a} with axes {@code axis1} and {@code axis2} exchanged. */
    public static Array swapaxes(Array a, int axis1, int axis2, StreamOrDevice s) {
        int n = a.ndim();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        int first = OpChecks.axis("swapaxes", "axis1", axis1, n);
        int second = OpChecks.axis("swapaxes", "axis2", axis2, n);
        perm[first] = second;
        perm[second] = first;
        return transpose(a, perm, s);
    }

    /**
     * The arrays joined along {@code axis}: all must have the same number of dimensions and the same sizes on every
     * other axis; they are converted to their promoted type first.
     */
    public static Array concatenate(List<Array> arrays, int axis, StreamOrDevice s) {
        if (arrays == null || arrays.isEmpty()) {
            throw new IllegalArgumentException("[concatenate] needs at least one array but was given none.");
        }
        int[] first = arrays.getFirst().shape();
        int ax = OpChecks.axis("concatenate", "axis", axis, first.length);
        DType t = arrays.getFirst().dtype();
        int total = 0;
        for (int i = 0; i < arrays.size(); i++) {
            int[] shape = arrays.get(i).shape();
            boolean fits = shape.length == first.length;
            for (int d = 0; fits && d < shape.length; d++) {
                fits = d == ax || shape[d] == first[d];
            }
            if (!fits) {
                throw new IllegalArgumentException("[concatenate] every array must have the shape of the first, "
                        + Shape.format(first) + ", except along axis " + axis + ", but array " + i + " has shape "
                        + Shape.format(shape) + ".");
            }
            total = Math.addExact(total, shape[ax]);
            t = DType.promote(t, arrays.get(i).dtype());
        }
        int[] outShape = first.clone();
        outShape[ax] = total;
        Array[] inputs = new Array[arrays.size()];
        long[] chunkBytes = new long[inputs.length];
        long inner = Shape.size(Arrays.copyOfRange(first, ax + 1, first.length));
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = DenseOps.astype(arrays.get(i), t, s);
            chunkBytes[i] = inputs[i].dim(ax) * inner * t.byteSize();
        }
        long outer = Shape.size(Arrays.copyOf(first, ax));
        return Scheduler.submit(
                "concatenate",
                s,
                inputs,
                outShape,
                t,
                (kernels, in, out) -> kernels.copies().concatenate(outer, chunkBytes, in, out[0]));
    }

    /**
     * The elements {@code start[d] <= index < stop[d]} on every axis {@code d} (MLX's {@code slice}): negative values
     * count from the end, and both bounds are clamped to {@code [0, size]}, so a stop before its start gives an empty
     * axis.
     */
    public static Array slice(Array a, int[] start, int[] stop, StreamOrDevice s) {
        int[] shape = a.shape();
        if (start.length != shape.length || stop.length != shape.length) {
            throw new IllegalArgumentException("[slice] start and stop must have one entry per axis of a (shape "
                    + Shape.format(shape) + ", " + shape.length + " axes) but have " + start.length + " and "
                    + stop.length + ".");
        }
        long[] strides = strides(shape);
        int[] outShape = new int[shape.length];
        long offset = 0;
        for (int d = 0; d < shape.length; d++) {
            int from = clamp(start[d], shape[d]);
            int to = clamp(stop[d], shape[d]);
            outShape[d] = Math.max(0, to - from);
            offset += from * strides[d];
        }
        return strided("slice", a, offset, strides, outShape, s);
    }

    private static int clamp(int index, int size) {
        int i = index < 0 ? index + size : index;
        return Math.clamp(i, 0, size);
    }

    /** Row-major element strides of {@code shape}. */
    private static long[] strides(int[] shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /**
     * A new array of shape {@code outShape} whose element at coordinates {@code c} is element
     * {@code start + Σ c[d]·inStrides[d]} of {@code a}.
     */
    private static Array strided(String op, Array a, long start, long[] inStrides, int[] outShape, StreamOrDevice s) {
        StridedCopy copy = new StridedCopy(start, inStrides, outShape, a.dtype().byteSize());
        return Scheduler.submit(
                op,
                s,
                new Array[] {a},
                outShape,
                a.dtype(),
                (kernels, in, out) -> kernels.copies().copyStrided(copy, in[0], out[0]));
    }
}
