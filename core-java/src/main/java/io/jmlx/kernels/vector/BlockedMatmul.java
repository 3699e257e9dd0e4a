package io.jmlx.kernels.vector;

import io.jmlx.kernels.KernelThreads;
import jdk.incubator.vector.FloatVector;

import static io.jmlx.kernels.vector.LaneShapes.BLOCK;
import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

/**
 * Quantized matmul for many rows of x, any bits and mode: tiles of the weight are decoded once per product into
 * float32 panels ({@link BlockDecoder}) small enough to stay in cache, and a register-blocked micro-kernel
 * multiplies {@link #MR} rows of a broadcast operand by a strip of {@link BlockDecoder#STRIP} columns (two vectors)
 * of a vector operand, {@link #KC} values of k at a time.
 *
 * <ul>
 * <li>{@code x · Ŵ}, W stored {@code [k, n]}: x is broadcast; the vector operand is a panel of KC rows of W, laid
 *     out strip by strip. Tasks own TILE columns of y.</li>
 * <li>{@code x · Ŵᵀ}, W stored {@code [n, k]}: computes {@code yᵀ = Ŵ · xᵀ}; a panel of decoded rows of W is
 *     broadcast, the vector operand is xᵀ in strips of rows of x (zero-padded). Tasks own TILE rows of W.</li>
 * </ul>
 *
 * Each output element is a single chain of fused multiply-adds from zero in k order, whatever the blocking or the
 * number of threads. Needs 16 float lanes ({@link #supports}).
 */
final class BlockedMatmul {
    /** Rows of the broadcast operand per micro-kernel call. */
    static final int MR = 8;
    /** Values of k per panel: a strip of the vector operand (KC × STRIP floats, 32 KiB) stays in L1. */
    static final int KC = 256;
    private static final int NR = BlockDecoder.STRIP;
    /** Weight rows (transposed) or columns (plain) per task; its panel is TILE × KC floats (64 KiB). */
    private static final int TILE = 64;

    private BlockedMatmul() {
    }

    /** True on machines whose vectors hold 16 floats (a strip is two vectors). */
    static boolean supports() {
        return LaneShapes.USABLE && 2 * LANES == NR;
    }

    /** {@code y[m × n] = x[m × k] · Ŵᵀ} with Ŵ stored {@code [n, k]} ({@code k} a multiple of 16). */
    static void transposed(float[] x, int m, int k, int n, BlockDecoder weight, float[] y) {
        int strips = (m + NR - 1) / NR;
        int width = strips * NR;
        float[] xStrips = new float[strips * k * NR];
        for (int i = 0; i < m; i++) {
            int at = i / NR * k * NR + i % NR;
            for (int kk = 0; kk < k; kk++) {
                xStrips[at + kk * NR] = x[i * k + kk];
            }
        }
        KernelThreads.forEach((n + TILE - 1) / TILE, t -> {
            int j0 = t * TILE;
            int rows = Math.min(TILE, n - j0);
            int paddedRows = (rows + MR - 1) / MR * MR;
            float[] panel = new float[paddedRows * KC];
            float[] yT = new float[paddedRows * width];
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                for (int r = 0; r < rows; r++) {
                    weight.decode(j0 + r, k0 / BLOCK, kc / BLOCK, panel, r * KC, NR);
                }
                for (int s = 0; s < strips; s++) {
                    for (int r = 0; r < paddedRows; r += MR) {
                        microKernel(panel, r * KC, KC, xStrips, (s * k + k0) * NR, yT, r * width + s * NR, width, kc);
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < m; i++) {
                    y[i * n + j0 + r] = yT[r * width + i];
                }
            }
        });
    }

    /** {@code y[m × n] = x[m × k] · Ŵ} with Ŵ stored {@code [k, n]} ({@code n} a multiple of 16). */
    static void plain(float[] x, int m, int k, int n, BlockDecoder weight, float[] y) {
        int paddedRows = (m + MR - 1) / MR * MR;
        // Rows of x a cache line more than k apart: for k a multiple of 1024 they would share L1 sets.
        int stride = k + LANES;
        float[] xs = new float[paddedRows * stride];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, i * k, xs, i * stride, k);
        }
        KernelThreads.forEach((n + TILE - 1) / TILE, t -> {
            int n0 = t * TILE;
            int cols = Math.min(TILE, n - n0);
            int width = (cols + NR - 1) / NR * NR;
            float[] panel = new float[width * KC];
            float[] c = new float[paddedRows * width];
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                for (int kk = 0; kk < kc; kk++) {
                    weight.decode(k0 + kk, n0 / BLOCK, cols / BLOCK, panel, kk * NR, KC * NR);
                }
                for (int s = 0; s < width / NR; s++) {
                    for (int i = 0; i < paddedRows; i += MR) {
                        microKernel(xs, i * stride + k0, stride, panel, s * KC * NR, c, i * width + s * NR, width, kc);
                    }
                }
            }
            for (int i = 0; i < m; i++) {
                System.arraycopy(c, i * width, y, i * n + n0, cols);
            }
        });
    }

    /**
     * {@code c[MR × STRIP] += a[MR × kc] · b[kc × STRIP]}: row {@code r} of a at {@code a[aFrom + r·aStride]}, row
     * {@code kk} of b at {@code b[bFrom + kk·STRIP]}, row {@code r} of c at {@code c[cFrom + r·cStride]}. Sixteen
     * vector accumulators, each element's products added in kk order. (Written out by hand: the vectors must stay
     * in registers.)
     */
    private static void microKernel(float[] a, int aFrom, int aStride, float[] b, int bFrom, float[] c, int cFrom,
                                    int cStride, int kc) {
        int a1 = aFrom + aStride;
        int a2 = aFrom + 2 * aStride;
        int a3 = aFrom + 3 * aStride;
        int a4 = aFrom + 4 * aStride;
        int a5 = aFrom + 5 * aStride;
        int a6 = aFrom + 6 * aStride;
        int a7 = aFrom + 7 * aStride;
        FloatVector c00 = FloatVector.fromArray(F, c, cFrom);
        FloatVector c01 = FloatVector.fromArray(F, c, cFrom + LANES);
        FloatVector c10 = FloatVector.fromArray(F, c, cFrom + cStride);
        FloatVector c11 = FloatVector.fromArray(F, c, cFrom + cStride + LANES);
        FloatVector c20 = FloatVector.fromArray(F, c, cFrom + 2 * cStride);
        FloatVector c21 = FloatVector.fromArray(F, c, cFrom + 2 * cStride + LANES);
        FloatVector c30 = FloatVector.fromArray(F, c, cFrom + 3 * cStride);
        FloatVector c31 = FloatVector.fromArray(F, c, cFrom + 3 * cStride + LANES);
        FloatVector c40 = FloatVector.fromArray(F, c, cFrom + 4 * cStride);
        FloatVector c41 = FloatVector.fromArray(F, c, cFrom + 4 * cStride + LANES);
        FloatVector c50 = FloatVector.fromArray(F, c, cFrom + 5 * cStride);
        FloatVector c51 = FloatVector.fromArray(F, c, cFrom + 5 * cStride + LANES);
        FloatVector c60 = FloatVector.fromArray(F, c, cFrom + 6 * cStride);
        FloatVector c61 = FloatVector.fromArray(F, c, cFrom + 6 * cStride + LANES);
        FloatVector c70 = FloatVector.fromArray(F, c, cFrom + 7 * cStride);
        FloatVector c71 = FloatVector.fromArray(F, c, cFrom + 7 * cStride + LANES);
        for (int kk = 0; kk < kc; kk++) {
            int bAt = bFrom + kk * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bAt);
            FloatVector b1 = FloatVector.fromArray(F, b, bAt + LANES);
            FloatVector a0v = FloatVector.broadcast(F, a[aFrom + kk]);
            c00 = a0v.fma(b0, c00);
            c01 = a0v.fma(b1, c01);
            FloatVector a1v = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = a1v.fma(b0, c10);
            c11 = a1v.fma(b1, c11);
            FloatVector a2v = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = a2v.fma(b0, c20);
            c21 = a2v.fma(b1, c21);
            FloatVector a3v = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = a3v.fma(b0, c30);
            c31 = a3v.fma(b1, c31);
            FloatVector a4v = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = a4v.fma(b0, c40);
            c41 = a4v.fma(b1, c41);
            FloatVector a5v = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = a5v.fma(b0, c50);
            c51 = a5v.fma(b1, c51);
            FloatVector a6v = FloatVector.broadcast(F, a[a6 + kk]);
            c60 = a6v.fma(b0, c60);
            c61 = a6v.fma(b1, c61);
            FloatVector a7v = FloatVector.broadcast(F, a[a7 + kk]);
            c70 = a7v.fma(b0, c70);
            c71 = a7v.fma(b1, c71);
        }
        c00.intoArray(c, cFrom);
        c01.intoArray(c, cFrom + LANES);
        c10.intoArray(c, cFrom + cStride);
        c11.intoArray(c, cFrom + cStride + LANES);
        c20.intoArray(c, cFrom + 2 * cStride);
        c21.intoArray(c, cFrom + 2 * cStride + LANES);
        c30.intoArray(c, cFrom + 3 * cStride);
        c31.intoArray(c, cFrom + 3 * cStride + LANES);
        c40.intoArray(c, cFrom + 4 * cStride);
        c41.intoArray(c, cFrom + 4 * cStride + LANES);
        c50.intoArray(c, cFrom + 5 * cStride);
        c51.intoArray(c, cFrom + 5 * cStride + LANES);
        c60.intoArray(c, cFrom + 6 * cStride);
        c61.intoArray(c, cFrom + 6 * cStride + LANES);
        c70.intoArray(c, cFrom + 7 * cStride);
        c71.intoArray(c, cFrom + 7 * cStride + LANES);
    }
}
