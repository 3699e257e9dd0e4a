package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;

/** Argument checks shared by the ops, with messages naming the op, the argument, what was expected and what was given. */
final class OpChecks {
    private OpChecks() {}

    /** Throws unless {@code a} is float32, float16 or bfloat16 (the types jmlx computes elementwise math in). */
    static void requireFloat(String op, String argument, Array a) {
        DType t = a.dtype();
        if (t != DType.FLOAT32 && t != DType.FLOAT16 && t != DType.BFLOAT16) {
            throw new IllegalArgumentException("[" + op + "] " + argument + " must be float32, float16 or bfloat16 "
                    + "but has type " + t + "; convert it first with astype.");
        }
    }

    /** {@code axis} (negative: counted from the end) as an index into {@code ndim} dimensions; throws if out of range. */
    static int axis(String op, String argument, int axis, int ndim) {
        int a = axis < 0 ? axis + ndim : axis;
        if (a < 0 || a >= ndim) {
            throw new IllegalArgumentException(
                    "[" + op + "] " + argument + " " + axis + " is out of range for an array " + "with " + ndim
                            + " dimensions; it must be in [" + -ndim + ", " + ndim + ").");
        }
        return a;
    }
}
