package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.MatmulSpec;
import io.jmlx.stream.StreamOrDevice;

/** The dense ops behind {@link io.jmlx.Jmlx}: type conversion, matrix transpose and the matrix product. */
public final class DenseOps {
    private DenseOps() {}

    public static Array astype(Array a, DType target, StreamOrDevice s) {
        if (a.dtype() == target) {
            return a;
        }
        DType from = a.dtype();
        if (!isNumeric(from) || !isNumeric(target)) {
            throw new IllegalArgumentException(
                    "[astype] Cannot convert " + from + " to " + target + ": storage-only types cannot be converted.");
        }
        long n = a.size();
        return Scheduler.submit(
                "astype",
                s,
                new Array[] {a},
                a.shape(),
                target,
                (kernels, in, out) -> kernels.conversion().convert(from, target, n, in[0], out[0]));
    }

    public static Array matrixTranspose(Array a, StreamOrDevice s) {
        int[] shape = a.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException(
                    "[matrix_transpose] needs at least 2 dimensions but a has shape " + Shape.format(shape) + ".");
        }
        int rows = shape[shape.length - 2];
        int cols = shape[shape.length - 1];
        int[] outShape = shape.clone();
        outShape[shape.length - 2] = cols;
        outShape[shape.length - 1] = rows;
        long batches = a.size() / Math.max(1L, (long) rows * cols);
        int elem = a.dtype().byteSize();
        return Scheduler.submit(
                "matrix_transpose",
                s,
                new Array[] {a},
                outShape,
                a.dtype(),
                (kernels, in, out) -> kernels.copies().transposeMatrices(batches, rows, cols, elem, in[0], out[0]));
    }

    public static Array matmul(Array a, Array b, StreamOrDevice s) {
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        if (aShape.length == 0 || bShape.length == 0) {
            throw new IllegalArgumentException(
                    "[matmul] Got 0 dimension input. Inputs must have at least one dimension.");
        }
        DType t = DType.promote(a.dtype(), b.dtype());
        if (!t.isFloating()) {
            throw new IllegalArgumentException("[matmul] Only real floating point types are supported but "
                    + a.dtype() + " and " + b.dtype() + " were provided which results in " + t
                    + ", which is not a real floating point type.");
        }
        int[] am = aShape.length == 1 ? new int[] {1, aShape[0]} : aShape;
        int[] bm = bShape.length == 1 ? new int[] {bShape[0], 1} : bShape;
        int m = am[am.length - 2];
        int k = am[am.length - 1];
        int n = bm[bm.length - 1];
        if (bm[bm.length - 2] != k) {
            throw new IllegalArgumentException("[matmul] Last dimension of first input with shape "
                    + Shape.format(aShape) + " must match second to last dimension of second input with shape "
                    + Shape.format(bShape) + ".");
        }
        int[] aBatch = Shape.batch(am);
        int[] bBatch = Shape.batch(bm);
        int[] batch = Shape.broadcast("matmul", aBatch, bBatch);
        int[] outShape = Shape.concat(batch, m, n);
        if (aShape.length == 1) {
            outShape = bShape.length == 1 ? new int[0] : Shape.concat(batch, n);
        } else if (bShape.length == 1) {
            outShape = Shape.concat(batch, m);
        }
        Array at = a.dtype() == t ? a : astype(a, t, s);
        Array bt = b.dtype() == t ? b : astype(b, t, s);
        long batchCount = Shape.size(batch);
        long aBytes = (long) m * k * t.byteSize();
        long bBytes = (long) k * n * t.byteSize();
        long yBytes = (long) m * n * t.byteSize();
        MatmulSpec spec = new MatmulSpec(m, k, n, t);
        return Scheduler.submit("matmul", s, new Array[] {at, bt}, outShape, t, (kernels, in, out) -> {
            for (long i = 0; i < batchCount; i++) {
                long ai = Shape.broadcastIndex(batch, i, aBatch);
                long bi = Shape.broadcastIndex(batch, i, bBatch);
                kernels.matmul()
                        .matmul(
                                spec,
                                in[0].asSlice(ai * aBytes, aBytes),
                                in[1].asSlice(bi * bBytes, bBytes),
                                out[0].asSlice(i * yBytes, yBytes));
            }
        });
    }

    private static boolean isNumeric(DType t) {
        return t.isFloating() || t.isInteger() || t == DType.BOOL;
    }
}
