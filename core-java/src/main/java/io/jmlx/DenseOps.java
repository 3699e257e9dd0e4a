package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.kernels.KernelProvider;
import io.jmlx.kernels.Kernels;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The dense ops behind {@link Jmlx}: type conversion, matrix transpose and the reference matmul. */
final class DenseOps {
    private DenseOps() {}

    static Array astype(Array a, DType target, StreamOrDevice s) {
        if (a.dtype() == target) {
            return a;
        }
        DType from = a.dtype();
        if (!isNumeric(from) || !isNumeric(target)) {
            throw new IllegalArgumentException(
                    "[astype] Cannot convert " + from + " to " + target + ": storage-only types cannot be converted.");
        }
        long n = a.size();
        return Scheduler.submit("astype", s, new Array[] {a}, a.shape(), target, (in, out) -> {
            boolean wide = from == DType.FLOAT64 || from == DType.INT64 || from == DType.UINT64;
            for (long i = 0; i < n; i++) {
                if (wide) {
                    Elements.setDouble(out[0], target, i, Elements.getDouble(in[0], from, i));
                } else {
                    Elements.setFloat(out[0], target, i, Elements.getFloat(in[0], from, i));
                }
            }
        });
    }

    static Array matrixTranspose(Array a, StreamOrDevice s) {
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
        return Scheduler.submit("matrix_transpose", s, new Array[] {a}, outShape, a.dtype(), (in, out) -> {
            long matrix = (long) rows * cols * elem;
            for (long b = 0; b < batches; b++) {
                transposeMatrix(
                        in[0].asSlice(b * matrix, matrix), out[0].asSlice(b * matrix, matrix), rows, cols, elem);
            }
        });
    }

    /** Tile size of the blocked transpose: a tile of source rows and one of destination rows stay in L1. */
    private static final int TILE = 32;

    /** {@code out[c][r] = in[r][c]} for a {@code rows × cols} matrix of {@code elem}-byte elements, tile by tile. */
    private static void transposeMatrix(MemorySegment in, MemorySegment out, int rows, int cols, int elem) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int r1 = Math.min(rows, r0 + TILE);
                int c1 = Math.min(cols, c0 + TILE);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        long from = (long) r * cols + c;
                        long to = (long) c * rows + r;
                        switch (elem) {
                            case 8 ->
                                out.setAtIndex(
                                        ValueLayout.JAVA_LONG_UNALIGNED,
                                        to,
                                        in.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, from));
                            case 4 ->
                                out.setAtIndex(
                                        ValueLayout.JAVA_INT_UNALIGNED,
                                        to,
                                        in.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, from));
                            case 2 ->
                                out.setAtIndex(
                                        ValueLayout.JAVA_SHORT_UNALIGNED,
                                        to,
                                        in.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, from));
                            default -> out.set(ValueLayout.JAVA_BYTE, to, in.get(ValueLayout.JAVA_BYTE, from));
                        }
                    }
                }
            }
        }
    }

    static Array matmul(Array a, Array b, StreamOrDevice s) {
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
        return Scheduler.submit("matmul", s, new Array[] {at, bt}, outShape, t, (in, out) -> {
            Kernels kernels = KernelProvider.get();
            for (long i = 0; i < batchCount; i++) {
                long ai = Shape.broadcastIndex(batch, i, aBatch);
                long bi = Shape.broadcastIndex(batch, i, bBatch);
                kernels.matmul(
                        in[0].asSlice(ai * aBytes, aBytes),
                        in[1].asSlice(bi * bBytes, bBytes),
                        t,
                        m,
                        k,
                        n,
                        out[0].asSlice(i * yBytes, yBytes));
            }
        });
    }

    private static boolean isNumeric(DType t) {
        return t.isFloating() || t.isInteger() || t == DType.BOOL;
    }
}
