package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.AxisLines;
import io.jmlx.backend.Reduction;
import io.jmlx.stream.StreamOrDevice;
import java.util.Arrays;

/**
 * MLX's reductions along one axis ({@link Reduction}) and {@code softmax}, with {@code keepdims} keeping the reduced
 * axis as size 1. The input must be float32, float16 or bfloat16; {@code argmax} gives uint32 indices (as MLX).
 */
public final class ReduceOp {
    private ReduceOp() {}

    /** {@code a} reduced along {@code axis} (negative: from the end), on stream {@code s} ({@code null}: the default). */
    public static Array reduce(Reduction r, Array a, int axis, boolean keepdims, StreamOrDevice s) {
        String op = r.mlxName();
        OpChecks.requireFloat(op, "a", a);
        int[] shape = a.shape();
        int ax = OpChecks.axis(op, "axis", axis, shape.length);
        if (shape[ax] == 0 && !r.emptyAllowed()) {
            throw new IllegalArgumentException(
                    "[" + op + "] cannot reduce axis " + axis + " of shape " + Shape.format(shape) + ": it is empty.");
        }
        AxisLines lines = AxisLines.of(shape, ax);
        DType in = a.dtype();
        DType out = r == Reduction.ARGMAX ? DType.UINT32 : in;
        return Scheduler.submit(
                op,
                s,
                new Array[] {a},
                reducedShape(shape, ax, keepdims),
                out,
                (kernels, inputs, outputs) -> kernels.reductions().reduce(r, lines, in, inputs[0], out, outputs[0]));
    }

    /**
     * {@code exp(x − max) / Σ exp(x − max)} along {@code axis}, numerically stable, rounded once per element to
     * {@code a}'s type. A line whose every value is −∞ gives NaN, as MLX.
     */
    public static Array softmax(Array a, int axis, StreamOrDevice s) {
        OpChecks.requireFloat("softmax", "a", a);
        int[] shape = a.shape();
        AxisLines lines = AxisLines.of(shape, OpChecks.axis("softmax", "axis", axis, shape.length));
        DType t = a.dtype();
        return Scheduler.submit(
                "softmax",
                s,
                new Array[] {a},
                shape,
                t,
                (kernels, in, out) -> kernels.reductions().softmax(lines, t, in[0], out[0]));
    }

    /** The shape after reducing the axis: without it, or with it as 1 when {@code keepdims}. */
    private static int[] reducedShape(int[] shape, int axis, boolean keepdims) {
        if (keepdims) {
            int[] out = shape.clone();
            out[axis] = 1;
            return out;
        }
        return Shape.concat(Arrays.copyOf(shape, axis), Arrays.copyOfRange(shape, axis + 1, shape.length));
    }
}
