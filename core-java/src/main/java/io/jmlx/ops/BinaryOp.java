package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.BinaryFunction;
import io.jmlx.backend.Broadcast;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's elementwise binary arithmetic ({@link BinaryFunction}) with NumPy broadcasting. The operands are first
 * converted to MLX's promoted type (float32, float16 or bfloat16), then each result is computed and rounded to that
 * type.
 */
public final class BinaryOp {
    private BinaryOp() {}

    /** {@code a f b}, broadcast, on stream {@code s} ({@code null}: the default). */
    public static Array apply(BinaryFunction f, Array a, Array b, StreamOrDevice s) {
        String op = f.mlxName();
        int[] shape = Shape.broadcast(op, a.shape(), b.shape());
        DType t = DType.promote(a.dtype(), b.dtype());
        if (t != DType.FLOAT32 && t != DType.FLOAT16 && t != DType.BFLOAT16) {
            throw new IllegalArgumentException("[" + op + "] jmlx computes " + op + " for arrays whose promoted type "
                    + "is float32, float16 or bfloat16, but " + a.dtype() + " " + f.symbol() + " " + b.dtype()
                    + " promotes to " + t + ".");
        }
        Array at = DenseOps.astype(a, t, s);
        Array bt = DenseOps.astype(b, t, s);
        Broadcast shapes = new Broadcast(shape, a.shape(), b.shape());
        return Scheduler.submit(
                op,
                s,
                new Array[] {at, bt},
                shape,
                t,
                (kernels, in, out) -> kernels.elementwise().binary(f, shapes, t, in[0], in[1], out[0]));
    }
}
