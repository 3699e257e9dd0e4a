package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.backend.UnaryFunction;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's elementwise math on one array ({@link UnaryFunction}): the input must be float32, float16 or bfloat16; the
 * result has its type and shape.
 */
public final class UnaryOp {
    private UnaryOp() {}

    /** {@code f} applied to every element of {@code a}, on stream {@code s} ({@code null}: the default). */
    public static Array apply(UnaryFunction f, Array a, StreamOrDevice s) {
        OpChecks.requireFloat(f.mlxName(), "a", a);
        DType t = a.dtype();
        long n = a.size();
        return Scheduler.submit(
                f.mlxName(),
                s,
                new Array[] {a},
                a.shape(),
                t,
                (kernels, in, out) -> kernels.elementwise().unary(f, t, n, in[0], out[0]));
    }
}
