package io.jmlx;

import io.jmlx.kernels.Elements;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A row-major array seen as lines along one axis: shape {@code [outer, length, inner]}, where {@code outer} is the
 * product of the dimensions before the axis and {@code inner} of those after it. Line {@code (o, i)} holds the
 * elements {@code (o * length + k) * inner + i} for {@code k < length}; the ops that reduce or normalize along an
 * axis read and write whole lines.
 */
record AxisLines(int axis, long outer, int length, long inner) {

    /** The lines of {@code shape} along the (already normalized) {@code axis}. */
    static AxisLines of(int[] shape, int axis) {
        return new AxisLines(
                axis,
                Shape.size(Arrays.copyOf(shape, axis)),
                shape[axis],
                Shape.size(Arrays.copyOfRange(shape, axis + 1, shape.length)));
    }

    /** Number of lines. */
    long count() {
        return outer * inner;
    }

    /** Flat index of element 0 of line {@code line} (lines numbered {@code o * inner + i}). */
    long first(long line) {
        return (line / inner) * length * inner + line % inner;
    }

    /** Reads line {@code line} of {@code seg} (type {@code t}) into {@code dst[0..length)} as floats. */
    void read(MemorySegment seg, DType t, long line, float[] dst) {
        long start = first(line);
        if (inner == 1) {
            Elements.readRow(seg, t, start, dst, length);
            return;
        }
        for (int k = 0; k < length; k++) {
            dst[k] = Elements.getFloat(seg, t, start + k * inner);
        }
    }

    /** Writes {@code src[0..length)} as line {@code line} of {@code seg}, rounding to {@code t}. */
    void write(float[] src, MemorySegment seg, DType t, long line) {
        long start = first(line);
        if (inner == 1) {
            Elements.writeRow(src, length, seg, t, start);
            return;
        }
        for (int k = 0; k < length; k++) {
            Elements.setFloat(seg, t, start + k * inner, src[k]);
        }
    }

    /** The shape after reducing the axis: without it, or with it as 1 when {@code keepdims}. */
    static int[] reducedShape(int[] shape, int axis, boolean keepdims) {
        if (keepdims) {
            int[] out = shape.clone();
            out[axis] = 1;
            return out;
        }
        return Shape.concat(Arrays.copyOf(shape, axis), Arrays.copyOfRange(shape, axis + 1, shape.length));
    }
}
