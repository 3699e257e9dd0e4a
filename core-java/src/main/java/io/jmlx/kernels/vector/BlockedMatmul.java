package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.BLOCK;
import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.kernels.KernelThreads;
import jdk.incubator.vector.FloatVector;

/**
 * Quantized matmul for many rows of x, any bits and mode: tiles of the weight are decoded once per product into
 * float32 panels ({@link WeightRows}: decoded, or copied for a dense matmul) small enough to stay in cache, and a register-blocked micro-kernel
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
 * number of threads. Both run on 8 or 16 float lanes ({@link #supports}): with 8 (AVX2, 16
 * vector registers) the micro-kernel is {@link #SHORT_MR} rows by two vectors ({@link #shortKernel}), so that its
 * twelve accumulators, two loads and a broadcast fit the registers; {@code x · Ŵ} likewise ({@link #plain}).
 */
final class BlockedMatmul {
    /** Rows of the broadcast operand per micro-kernel call. */
    static final int MR = 8;
    /** Rows of the broadcast operand per {@link #shortKernel} call (8 float lanes). */
    static final int SHORT_MR = 6;
    /** Rows of the broadcast operand per {@link #narrowKernel} call (its strips are one vector wide). */
    static final int NARROW_MR = 16;
    /** Values of k per panel: a strip of the vector operand (KC × STRIP floats, 32 KiB) stays in L1. */
    static final int KC = 256;

    private static final int NR = BlockDecoder.STRIP;
    /** Weight rows (transposed) or columns (plain) per task; its panel is TILE × KC floats (64 KiB). */
    private static final int TILE = 64;
    /**
     * {@link #TILE} for the {@link #shortKernel}: a multiple of {@link #SHORT_MR}, and larger, since every tile reads
     * all of x again (from L3 for hundreds of rows); its panel (120 KiB) stays in L2.
     */
    private static final int SHORT_TILE = 120;
    /** Rows of y that {@link #transposed} writes back at a time. */
    private static final int WRITE_BACK = 8;

    private BlockedMatmul() {}

    /**
     * A thread's tile buffers, reused from tile to tile: a panel (only the rows and values a tile decodes are read)
     * and output sums (zeroed for each tile).
     */
    private static final class Tiles {
        private float[] panel = new float[0];
        private float[] sums = new float[0];

        float[] panel(int length) {
            if (panel.length < length) {
                panel = new float[length];
            }
            return panel;
        }

        float[] sums(int length) {
            if (sums.length < length) {
                sums = new float[length];
            } else {
                java.util.Arrays.fill(sums, 0, length, 0f);
            }
            return sums;
        }
    }

    private static final ThreadLocal<Tiles> TILES = ThreadLocal.withInitial(Tiles::new);

    /** True where {@link #transposed} and {@link #plain} run: vectors of 16 floats, or of 8 ({@link #shortKernel}). */
    static boolean supports() {
        return LANES == 8 || LANES == 16;
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵᵀ} with Ŵ stored {@code [n, k]} ({@code k} a multiple of 16). Up to
     * {@link LaneShapes#LANES} rows of x take strips one vector wide ({@link #narrowKernel}), so that 16 rows do not
     * pay for 32.
     */
    static void transposed(float[] x, int m, int k, int n, WeightRows weight, float[] y) {
        boolean eightLanes = LANES == 8;
        boolean narrow = !eightLanes && m <= LANES;
        int stripWidth = narrow ? LANES : 2 * LANES;
        int rowStep = eightLanes ? SHORT_MR : narrow ? NARROW_MR : MR;
        int tile = eightLanes ? SHORT_TILE : TILE;
        int strips = (m + stripWidth - 1) / stripWidth;
        int width = strips * stripWidth;
        float[] xStrips = new float[strips * k * stripWidth];
        // Strip by strip, k by k: the writes run along the strip, the reads revisit one line of each of its rows.
        for (int s = 0; s < strips; s++) {
            int first = s * stripWidth;
            int last = Math.min(m, first + stripWidth);
            for (int kk = 0; kk < k; kk++) {
                int at = (s * k + kk) * stripWidth - first;
                for (int i = first; i < last; i++) {
                    xStrips[at + i] = x[i * k + kk];
                }
            }
        }
        KernelThreads.forEach((n + tile - 1) / tile, t -> {
            int j0 = t * tile;
            int rows = Math.min(tile, n - j0);
            int paddedRows = (rows + rowStep - 1) / rowStep * rowStep;
            Tiles tiles = TILES.get();
            float[] panel = tiles.panel(paddedRows * KC);
            float[] yT = tiles.sums(paddedRows * width);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                for (int r = 0; r < rows; r++) {
                    weight.decode(j0 + r, k0 / BLOCK, kc / BLOCK, panel, r * KC, NR);
                }
                for (int s = 0; s < strips; s++) {
                    int stripFrom = (s * k + k0) * stripWidth;
                    for (int r = 0; r < paddedRows; r += rowStep) {
                        if (eightLanes) {
                            shortKernel(
                                    panel, r * KC, KC, xStrips, stripFrom, yT, r * width + s * stripWidth, width, kc);
                        } else if (narrow) {
                            narrowKernel(panel, r * KC, KC, xStrips, stripFrom, yT, r * width, width, kc);
                        } else {
                            microKernel(panel, r * KC, KC, xStrips, stripFrom, yT, r * width + s * NR, width, kc);
                        }
                    }
                }
            }
            // WRITE_BACK rows of y at a time: the reads run along rows of yT and the writes fill that many lines of
            // y. (Row by row of y read every row of yT at once: rows a multiple of 1 KiB apart share few L1 sets, and
            // for hundreds of rows of x they evicted one another.)
            for (int i0 = 0; i0 < m; i0 += WRITE_BACK) {
                int i1 = Math.min(m, i0 + WRITE_BACK);
                for (int r = 0; r < rows; r++) {
                    int from = r * width;
                    for (int i = i0; i < i1; i++) {
                        y[i * n + j0 + r] = yT[from + i];
                    }
                }
            }
        });
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵ} with Ŵ stored {@code [k, n]} ({@code n} a multiple of 16): rows of x are
     * broadcast against panels of KC rows of W, strip by strip (with 8 float lanes, {@link #shortKernel} on
     * {@link #SHORT_MR} rows and strips of one block).
     */
    static void plain(float[] x, int m, int k, int n, WeightRows weight, float[] y) {
        boolean eightLanes = LANES == 8;
        int rowStep = eightLanes ? SHORT_MR : MR;
        int paddedRows = (m + rowStep - 1) / rowStep * rowStep;
        // Rows of x a cache line more than k apart: for k a multiple of 1024 they would share L1 sets.
        int stride = k + LANES;
        float[] xs = new float[paddedRows * stride];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, i * k, xs, i * stride, k);
        }
        KernelThreads.forEach((n + TILE - 1) / TILE, t -> {
            int n0 = t * TILE;
            int cols = Math.min(TILE, n - n0);
            // Eight lanes: a panel of KC rows is stored block by block (16 columns, the kernel's width), so that the
            // block the kernel reads for every row of x is one contiguous 16 KiB run that stays in L1.
            int stripWidth = eightLanes ? BLOCK : NR;
            int width = (cols + stripWidth - 1) / stripWidth * stripWidth;
            Tiles tiles = TILES.get();
            float[] panel = tiles.panel(width * KC);
            float[] c = tiles.sums(paddedRows * width);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                for (int kk = 0; kk < kc; kk++) {
                    if (eightLanes) {
                        for (int b = 0; b < cols / BLOCK; b++) {
                            weight.decode(k0 + kk, n0 / BLOCK + b, 1, panel, (b * KC + kk) * BLOCK, NR);
                        }
                    } else {
                        weight.decode(k0 + kk, n0 / BLOCK, cols / BLOCK, panel, kk * NR, KC * NR);
                    }
                }
                for (int s = 0; s < width / stripWidth; s++) {
                    int stripFrom = s * KC * stripWidth;
                    for (int i = 0; i < paddedRows; i += rowStep) {
                        int aFrom = i * stride + k0;
                        int cFrom = i * width + s * stripWidth;
                        if (eightLanes) {
                            shortKernel(xs, aFrom, stride, panel, stripFrom, c, cFrom, width, kc);
                        } else {
                            microKernel(xs, aFrom, stride, panel, stripFrom, c, cFrom, width, kc);
                        }
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
    private static void microKernel(
            float[] a, int aFrom, int aStride, float[] b, int bFrom, float[] c, int cFrom, int cStride, int kc) {
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

    /**
     * {@link #microKernel} for 8 float lanes: {@code c[6 × 2·LANES] += a[6 × kc] · b[kc × 2·LANES]}, row {@code kk}
     * of b at {@code b[bFrom + kk·2·LANES]} (strips of x in {@link #transposed}, blocks of W in {@link #plain}: both
     * 16 floats wide on 8 lanes): twelve accumulators (written out by hand as well). The stride is a constant: as a
     * parameter it cost ~10% on 4096² products.
     */
    private static void shortKernel(
            float[] a, int aFrom, int aStride, float[] b, int bFrom, float[] c, int cFrom, int cStride, int kc) {
        int a1 = aFrom + aStride;
        int a2 = aFrom + 2 * aStride;
        int a3 = aFrom + 3 * aStride;
        int a4 = aFrom + 4 * aStride;
        int a5 = aFrom + 5 * aStride;
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
        for (int kk = 0; kk < kc; kk++) {
            int bAt = bFrom + kk * 2 * LANES;
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
    }

    /**
     * {@link #microKernel} for strips one vector wide: {@code c[16 × LANES] += a[16 × kc] · b[kc × LANES]}, row
     * {@code kk} of b at {@code b[bFrom + kk·LANES]}; sixteen accumulators, one vector load per sixteen
     * broadcasts. (Written out by hand as well.)
     */
    private static void narrowKernel(
            float[] a, int aFrom, int aStride, float[] b, int bFrom, float[] c, int cFrom, int cStride, int kc) {
        int a0 = aFrom;
        int a1 = aFrom + aStride;
        int a2 = aFrom + 2 * aStride;
        int a3 = aFrom + 3 * aStride;
        int a4 = aFrom + 4 * aStride;
        int a5 = aFrom + 5 * aStride;
        int a6 = aFrom + 6 * aStride;
        int a7 = aFrom + 7 * aStride;
        int a8 = aFrom + 8 * aStride;
        int a9 = aFrom + 9 * aStride;
        int a10 = aFrom + 10 * aStride;
        int a11 = aFrom + 11 * aStride;
        int a12 = aFrom + 12 * aStride;
        int a13 = aFrom + 13 * aStride;
        int a14 = aFrom + 14 * aStride;
        int a15 = aFrom + 15 * aStride;
        FloatVector c0 = FloatVector.fromArray(F, c, cFrom);
        FloatVector c1 = FloatVector.fromArray(F, c, cFrom + cStride);
        FloatVector c2 = FloatVector.fromArray(F, c, cFrom + 2 * cStride);
        FloatVector c3 = FloatVector.fromArray(F, c, cFrom + 3 * cStride);
        FloatVector c4 = FloatVector.fromArray(F, c, cFrom + 4 * cStride);
        FloatVector c5 = FloatVector.fromArray(F, c, cFrom + 5 * cStride);
        FloatVector c6 = FloatVector.fromArray(F, c, cFrom + 6 * cStride);
        FloatVector c7 = FloatVector.fromArray(F, c, cFrom + 7 * cStride);
        FloatVector c8 = FloatVector.fromArray(F, c, cFrom + 8 * cStride);
        FloatVector c9 = FloatVector.fromArray(F, c, cFrom + 9 * cStride);
        FloatVector c10 = FloatVector.fromArray(F, c, cFrom + 10 * cStride);
        FloatVector c11 = FloatVector.fromArray(F, c, cFrom + 11 * cStride);
        FloatVector c12 = FloatVector.fromArray(F, c, cFrom + 12 * cStride);
        FloatVector c13 = FloatVector.fromArray(F, c, cFrom + 13 * cStride);
        FloatVector c14 = FloatVector.fromArray(F, c, cFrom + 14 * cStride);
        FloatVector c15 = FloatVector.fromArray(F, c, cFrom + 15 * cStride);
        for (int kk = 0; kk < kc; kk++) {
            FloatVector bv = FloatVector.fromArray(F, b, bFrom + kk * LANES);
            c0 = FloatVector.broadcast(F, a[a0 + kk]).fma(bv, c0);
            c1 = FloatVector.broadcast(F, a[a1 + kk]).fma(bv, c1);
            c2 = FloatVector.broadcast(F, a[a2 + kk]).fma(bv, c2);
            c3 = FloatVector.broadcast(F, a[a3 + kk]).fma(bv, c3);
            c4 = FloatVector.broadcast(F, a[a4 + kk]).fma(bv, c4);
            c5 = FloatVector.broadcast(F, a[a5 + kk]).fma(bv, c5);
            c6 = FloatVector.broadcast(F, a[a6 + kk]).fma(bv, c6);
            c7 = FloatVector.broadcast(F, a[a7 + kk]).fma(bv, c7);
            c8 = FloatVector.broadcast(F, a[a8 + kk]).fma(bv, c8);
            c9 = FloatVector.broadcast(F, a[a9 + kk]).fma(bv, c9);
            c10 = FloatVector.broadcast(F, a[a10 + kk]).fma(bv, c10);
            c11 = FloatVector.broadcast(F, a[a11 + kk]).fma(bv, c11);
            c12 = FloatVector.broadcast(F, a[a12 + kk]).fma(bv, c12);
            c13 = FloatVector.broadcast(F, a[a13 + kk]).fma(bv, c13);
            c14 = FloatVector.broadcast(F, a[a14 + kk]).fma(bv, c14);
            c15 = FloatVector.broadcast(F, a[a15 + kk]).fma(bv, c15);
        }
        c0.intoArray(c, cFrom);
        c1.intoArray(c, cFrom + cStride);
        c2.intoArray(c, cFrom + 2 * cStride);
        c3.intoArray(c, cFrom + 3 * cStride);
        c4.intoArray(c, cFrom + 4 * cStride);
        c5.intoArray(c, cFrom + 5 * cStride);
        c6.intoArray(c, cFrom + 6 * cStride);
        c7.intoArray(c, cFrom + 7 * cStride);
        c8.intoArray(c, cFrom + 8 * cStride);
        c9.intoArray(c, cFrom + 9 * cStride);
        c10.intoArray(c, cFrom + 10 * cStride);
        c11.intoArray(c, cFrom + 11 * cStride);
        c12.intoArray(c, cFrom + 12 * cStride);
        c13.intoArray(c, cFrom + 13 * cStride);
        c14.intoArray(c, cFrom + 14 * cStride);
        c15.intoArray(c, cFrom + 15 * cStride);
    }
}
