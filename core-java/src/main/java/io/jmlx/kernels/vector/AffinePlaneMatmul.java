package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.KernelThreads;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Affine quantized matmul straight from the packed words, for 2, 4 and 8 bits (codes never straddle words).
 *
 * <p>A vector of L packed words holds, in "plane" {@code p}, code {@code p} of each word: lane {@code l} of plane
 * {@code p} is element {@code (w+l)·c + p} of the row ({@code c = 32/bits} codes per word). So x is copied once per
 * product into the same plane order, and each plane is a shift, a mask and a conversion away from float codes.
 * The algebra {@code Σ x·(s·q + b) = Σ_groups s·(Σ x·q) + b·(Σ x)} applies scales once per vector of words (a
 * vector of per-lane group scales) and biases once per group against precomputed group sums of x.
 * Sums are float32 in an order fixed by the shapes; rows of the output are split over the kernel threads.
 */
final class AffinePlaneMatmul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int LOG_L = Integer.numberOfTrailingZeros(L);
    private static final int ROWS_PER_CHUNK = 16;
    private static final jdk.incubator.vector.VectorMask<Float> UPPER_HALF =
            jdk.incubator.vector.VectorMask.fromLong(F, -1L << (L / 2));
    /**
     * Floats of x (all rows, in plane order) per block of k: 256 KiB, a share of L2. Blocks small enough for L1
     * (24 KiB) measured slower here at M = 4 and 8 (11.4 against 8.6 ms for 4096², M = 8).
     */
    private static final int X_BLOCK_FLOATS = 64 * 1024;

    private AffinePlaneMatmul() {}

    /** True when the words of a row of {@code cols} codes fill whole vectors and codes do not straddle words. */
    static boolean supports(int cols, int bits) {
        return (bits == 2 || bits == 4 || bits == 8) && (cols * bits / 32) % L == 0 && I.length() == L;
    }

    /** Products sharing one weight: x in plane order, group sums of x, and the lane → group map of a row. */
    private record Prepared(
            float[] planes,
            float[] groupSums,
            int[] laneGroup,
            int words,
            int codesPerWord,
            int groups,
            int groupShift) {
        static Prepared of(float[] x, int m, int k, int groupSize, int bits) {
            int c = 32 / bits;
            int words = k / c;
            int groups = k / groupSize;
            float[] planes = new float[m * k];
            float[] sums = new float[m * groups];
            for (int i = 0; i < m; i++) {
                for (int w = 0; w < words; w++) {
                    for (int p = 0; p < c; p++) {
                        planes[i * k + p * words + w] = x[i * k + w * c + p] * planeFactor(bits, p);
                    }
                }
                for (int g = 0; g < groups; g++) {
                    float s = 0f;
                    for (int kk = g * groupSize; kk < (g + 1) * groupSize; kk++) {
                        s += x[i * k + kk];
                    }
                    sums[i * groups + g] = s;
                }
            }
            int[] laneGroup = new int[words];
            for (int w = 0; w < words; w++) {
                laneGroup[w] = w * c / groupSize;
            }
            return new Prepared(
                    planes, sums, laneGroup, words, c, groups, Integer.numberOfTrailingZeros(groupSize / c));
        }
    }

    /**
     * The factor folded into plane {@code p} of x. For 4 bits, planes 0–6 are isolated with a mask only, leaving
     * the code times {@code 16^p}, so x is scaled by {@code 16^-p} instead (exact: powers of two); plane 7 and other
     * widths are shifted down and need no factor.
     */
    private static float planeFactor(int bits, int p) {
        return bits == 4 && p < 7 ? Math.scalb(1f, -4 * p) : 1f;
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵᵀ}, Ŵ stored {@code [n, k]}. Each task takes {@link #ROWS_PER_CHUNK} rows of W
     * and walks k in blocks of {@link #blockWords} words, so that the block of x (all m rows) stays in L1 while
     * those rows of W go by; each weight row is decoded once per four, two or one rows of x. Every output keeps one
     * vector of partial sums over the blocks, so the order of additions is that of an unblocked pass.
     */
    static void transposed(
            float[] x,
            int m,
            int k,
            int n,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType scaleType,
            int groupSize,
            int bits,
            float[] y) {
        Prepared p = Prepared.of(x, m, k, groupSize, bits);
        int words = p.words();
        int blockWords = blockWords(m, p.codesPerWord(), words);
        int chunks = (n + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        int groups = p.groups();
        KernelThreads.forEach(chunks, c -> {
            int jFrom = c * ROWS_PER_CHUNK;
            int rows = Math.min(n, jFrom + ROWS_PER_CHUNK) - jFrom;
            float[] chunkScales = new float[rows * groups];
            float[] chunkBiases = new float[rows * groups];
            long groupBytes = (long) jFrom * groups * scaleType.byteSize();
            HalfVectors.widenRow(scales, groupBytes, scaleType, chunkScales, chunkScales.length);
            HalfVectors.widenRow(biases, groupBytes, scaleType, chunkBiases, chunkBiases.length);
            float[] totals = new float[rows * m * L];
            for (int wFrom = 0; wFrom < words; wFrom += blockWords) {
                int wTo = Math.min(words, wFrom + blockWords);
                for (int r = 0; r < rows; r++) {
                    long rowBytes = (long) (jFrom + r) * words * 4;
                    int scaleFrom = r * groups;
                    int i = 0;
                    for (; i + 4 <= m; i += 4) {
                        int at = (r * m + i) * L;
                        if (bits == 4) {
                            fourBitRowTimesFour(
                                    p, packed, rowBytes, chunkScales, scaleFrom, k, i, wFrom, wTo, totals, at);
                        } else {
                            rowTimesFour(
                                    p, packed, rowBytes, chunkScales, scaleFrom, bits, k, i, wFrom, wTo, totals, at);
                        }
                    }
                    if (bits == 4 && i + 2 <= m) {
                        fourBitRowTimesTwo(
                                p, packed, rowBytes, chunkScales, scaleFrom, k, i, wFrom, wTo, totals, (r * m + i) * L);
                        i += 2;
                    }
                    for (; i < m; i++) {
                        int at = (r * m + i) * L;
                        if (bits == 4) {
                            fourBitRowTimesOne(
                                    p, packed, rowBytes, chunkScales, scaleFrom, k, i, wFrom, wTo, totals, at);
                        } else {
                            rowTimesOne(
                                    p, packed, rowBytes, chunkScales, scaleFrom, bits, k, i, wFrom, wTo, totals, at);
                        }
                    }
                }
            }
            float[] scratch = new float[L];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < m; i++) {
                    float scaled = Lanes.sum(FloatVector.fromArray(F, totals, (r * m + i) * L), scratch);
                    y[i * n + jFrom + r] =
                            scaled + DecodedMatmul.dot(chunkBiases, r * groups, p.groupSums(), i * groups, groups);
                }
            }
        });
    }

    /**
     * Words of a row per block of k: as many as keep the block of x ({@code m} rows, {@code codesPerWord} planes)
     * within {@link #X_BLOCK_FLOATS}, in whole vectors; a shape's block never depends on the threads.
     */
    static int blockWords(int m, int codesPerWord, int words) {
        return Math.min(words, Math.max(L, X_BLOCK_FLOATS / (m * codesPerWord) / L * L));
    }

    private static void rowTimesOne(
            Prepared p,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int bits,
            int k,
            int i,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        int mask = (1 << bits) - 1;
        int words = p.words();
        float[] planes = p.planes();
        int x0 = i * k;
        FloatVector total = FloatVector.fromArray(F, totals, at);
        for (int w = wFrom; w < wTo; w += L) {
            IntVector packedWords = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
            FloatVector sum = FloatVector.zero(F);
            for (int plane = 0, off = w; plane < p.codesPerWord(); plane++, off += words) {
                FloatVector q = (FloatVector) packedWords
                        .lanewise(VectorOperators.LSHR, plane * bits)
                        .and(mask)
                        .convert(VectorOperators.I2F, 0);
                sum = q.fma(FloatVector.fromArray(F, planes, x0 + off), sum);
            }
            total = sum.fma(FloatVector.fromArray(F, scales, scaleFrom, p.laneGroup(), w), total);
        }
        total.intoArray(totals, at);
    }

    private static void rowTimesFour(
            Prepared p,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int bits,
            int k,
            int i,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        int mask = (1 << bits) - 1;
        int words = p.words();
        float[] planes = p.planes();
        int x0 = i * k;
        FloatVector t0 = FloatVector.fromArray(F, totals, at);
        FloatVector t1 = FloatVector.fromArray(F, totals, at + L);
        FloatVector t2 = FloatVector.fromArray(F, totals, at + 2 * L);
        FloatVector t3 = FloatVector.fromArray(F, totals, at + 3 * L);
        for (int w = wFrom; w < wTo; w += L) {
            IntVector packedWords = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int plane = 0, off = x0 + w; plane < p.codesPerWord(); plane++, off += words) {
                FloatVector q = (FloatVector) packedWords
                        .lanewise(VectorOperators.LSHR, plane * bits)
                        .and(mask)
                        .convert(VectorOperators.I2F, 0);
                s0 = q.fma(FloatVector.fromArray(F, planes, off), s0);
                s1 = q.fma(FloatVector.fromArray(F, planes, off + k), s1);
                s2 = q.fma(FloatVector.fromArray(F, planes, off + 2 * k), s2);
                s3 = q.fma(FloatVector.fromArray(F, planes, off + 3 * k), s3);
            }
            FloatVector scale = FloatVector.fromArray(F, scales, scaleFrom, p.laneGroup(), w);
            t0 = s0.fma(scale, t0);
            t1 = s1.fma(scale, t1);
            t2 = s2.fma(scale, t2);
            t3 = s3.fma(scale, t3);
        }
        t0.intoArray(totals, at);
        t1.intoArray(totals, at + L);
        t2.intoArray(totals, at + 2 * L);
        t3.intoArray(totals, at + 3 * L);
    }

    /**
     * The per-lane group scales of the vector of words at {@code w}, a group being {@code 2^groupShift} words: a
     * broadcast when the vector lies in one group, a blend of two broadcasts when it spans two halves, a gather
     * otherwise. (Shifts, not divisions: this runs once per vector of words.)
     */
    private static FloatVector groupScales(float[] scales, int scaleFrom, int[] laneGroup, int groupShift, int w) {
        if (groupShift >= LOG_L) {
            return FloatVector.broadcast(F, scales[scaleFrom + (w >> groupShift)]);
        }
        if (groupShift == LOG_L - 1) {
            int g = scaleFrom + (w >> groupShift);
            return FloatVector.broadcast(F, scales[g]).blend(scales[g + 1], UPPER_HALF);
        }
        return FloatVector.fromArray(F, scales, scaleFrom, laneGroup, w);
    }

    /** Plane {@code p} (0–6) of 4-bit words as floats {@code code·16^p}: one mask, one conversion. */
    private static FloatVector nibble(IntVector words, int p) {
        return (FloatVector) words.and(0xF << (4 * p)).convert(VectorOperators.I2F, 0);
    }

    /** The top nibble (plane 7), shifted down: as a signed int it would be negative. */
    private static FloatVector topNibble(IntVector words) {
        return (FloatVector) words.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
    }

    /**
     * {@link #rowTimesOne} for 4 bits: the planes unrolled, masks in place of shifts, two independent chains.
     * (Written out by hand: helpers taking several vectors may stay out of line and box them.)
     */
    private static void fourBitRowTimesOne(
            Prepared p,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int k,
            int i,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        int words = p.words();
        float[] x = p.planes();
        int[] laneGroup = p.laneGroup();
        int groupShift = p.groupShift();
        int x0 = i * k;
        FloatVector t0 = FloatVector.fromArray(F, totals, at);
        for (int w = wFrom; w < wTo; w += L) {
            IntVector v = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
            FloatVector q0 = nibble(v, 0);
            FloatVector q1 = nibble(v, 1);
            FloatVector q2 = nibble(v, 2);
            FloatVector q3 = nibble(v, 3);
            FloatVector q4 = nibble(v, 4);
            FloatVector q5 = nibble(v, 5);
            FloatVector q6 = nibble(v, 6);
            FloatVector q7 = topNibble(v);
            int o = x0 + w;
            FloatVector scale = groupScales(scales, scaleFrom, laneGroup, groupShift, w);
            FloatVector a0 = q0.mul(FloatVector.fromArray(F, x, o));
            FloatVector b0 = q1.mul(FloatVector.fromArray(F, x, o + words));
            a0 = q2.fma(FloatVector.fromArray(F, x, o + 2 * words), a0);
            b0 = q3.fma(FloatVector.fromArray(F, x, o + 3 * words), b0);
            a0 = q4.fma(FloatVector.fromArray(F, x, o + 4 * words), a0);
            b0 = q5.fma(FloatVector.fromArray(F, x, o + 5 * words), b0);
            a0 = q6.fma(FloatVector.fromArray(F, x, o + 6 * words), a0);
            b0 = q7.fma(FloatVector.fromArray(F, x, o + 7 * words), b0);
            t0 = a0.add(b0).fma(scale, t0);
        }
        t0.intoArray(totals, at);
    }

    /** {@link #fourBitRowTimesOne} for two rows of x: each plane decoded once for both (written out by hand too). */
    private static void fourBitRowTimesTwo(
            Prepared p,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int k,
            int i,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        int words = p.words();
        float[] x = p.planes();
        int[] laneGroup = p.laneGroup();
        int groupShift = p.groupShift();
        int x0 = i * k;
        FloatVector t0 = FloatVector.fromArray(F, totals, at);
        FloatVector t1 = FloatVector.fromArray(F, totals, at + L);
        for (int w = wFrom; w < wTo; w += L) {
            IntVector v = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
            FloatVector q0 = nibble(v, 0);
            FloatVector q1 = nibble(v, 1);
            FloatVector q2 = nibble(v, 2);
            FloatVector q3 = nibble(v, 3);
            FloatVector q4 = nibble(v, 4);
            FloatVector q5 = nibble(v, 5);
            FloatVector q6 = nibble(v, 6);
            FloatVector q7 = topNibble(v);
            int o0 = x0 + w;
            int o1 = o0 + k;
            FloatVector scale = groupScales(scales, scaleFrom, laneGroup, groupShift, w);
            FloatVector a0 = q0.mul(FloatVector.fromArray(F, x, o0));
            FloatVector b0 = q1.mul(FloatVector.fromArray(F, x, o0 + words));
            FloatVector a1 = q0.mul(FloatVector.fromArray(F, x, o1));
            FloatVector b1 = q1.mul(FloatVector.fromArray(F, x, o1 + words));
            a0 = q2.fma(FloatVector.fromArray(F, x, o0 + 2 * words), a0);
            b0 = q3.fma(FloatVector.fromArray(F, x, o0 + 3 * words), b0);
            a1 = q2.fma(FloatVector.fromArray(F, x, o1 + 2 * words), a1);
            b1 = q3.fma(FloatVector.fromArray(F, x, o1 + 3 * words), b1);
            a0 = q4.fma(FloatVector.fromArray(F, x, o0 + 4 * words), a0);
            b0 = q5.fma(FloatVector.fromArray(F, x, o0 + 5 * words), b0);
            a1 = q4.fma(FloatVector.fromArray(F, x, o1 + 4 * words), a1);
            b1 = q5.fma(FloatVector.fromArray(F, x, o1 + 5 * words), b1);
            a0 = q6.fma(FloatVector.fromArray(F, x, o0 + 6 * words), a0);
            b0 = q7.fma(FloatVector.fromArray(F, x, o0 + 7 * words), b0);
            a1 = q6.fma(FloatVector.fromArray(F, x, o1 + 6 * words), a1);
            b1 = q7.fma(FloatVector.fromArray(F, x, o1 + 7 * words), b1);
            t0 = a0.add(b0).fma(scale, t0);
            t1 = a1.add(b1).fma(scale, t1);
        }
        t0.intoArray(totals, at);
        t1.intoArray(totals, at + L);
    }

    /** {@link #rowTimesFour} for 4 bits: each plane decoded once for four rows of x (written out by hand too). */
    private static void fourBitRowTimesFour(
            Prepared p,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int k,
            int i,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        int words = p.words();
        float[] x = p.planes();
        int[] laneGroup = p.laneGroup();
        int groupShift = p.groupShift();
        int x0 = i * k;
        FloatVector t0 = FloatVector.fromArray(F, totals, at);
        FloatVector t1 = FloatVector.fromArray(F, totals, at + L);
        FloatVector t2 = FloatVector.fromArray(F, totals, at + 2 * L);
        FloatVector t3 = FloatVector.fromArray(F, totals, at + 3 * L);
        for (int w = wFrom; w < wTo; w += L) {
            IntVector v = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
            FloatVector q0 = nibble(v, 0);
            FloatVector q1 = nibble(v, 1);
            FloatVector q2 = nibble(v, 2);
            FloatVector q3 = nibble(v, 3);
            FloatVector q4 = nibble(v, 4);
            FloatVector q5 = nibble(v, 5);
            FloatVector q6 = nibble(v, 6);
            FloatVector q7 = topNibble(v);
            int o0 = x0 + w;
            int o1 = o0 + k;
            int o2 = o1 + k;
            int o3 = o2 + k;
            FloatVector scale = groupScales(scales, scaleFrom, laneGroup, groupShift, w);
            FloatVector a0 = q0.mul(FloatVector.fromArray(F, x, o0));
            FloatVector b0 = q1.mul(FloatVector.fromArray(F, x, o0 + words));
            a0 = q2.fma(FloatVector.fromArray(F, x, o0 + 2 * words), a0);
            b0 = q3.fma(FloatVector.fromArray(F, x, o0 + 3 * words), b0);
            a0 = q4.fma(FloatVector.fromArray(F, x, o0 + 4 * words), a0);
            b0 = q5.fma(FloatVector.fromArray(F, x, o0 + 5 * words), b0);
            a0 = q6.fma(FloatVector.fromArray(F, x, o0 + 6 * words), a0);
            b0 = q7.fma(FloatVector.fromArray(F, x, o0 + 7 * words), b0);
            t0 = a0.add(b0).fma(scale, t0);
            FloatVector a1 = q0.mul(FloatVector.fromArray(F, x, o1));
            FloatVector b1 = q1.mul(FloatVector.fromArray(F, x, o1 + words));
            a1 = q2.fma(FloatVector.fromArray(F, x, o1 + 2 * words), a1);
            b1 = q3.fma(FloatVector.fromArray(F, x, o1 + 3 * words), b1);
            a1 = q4.fma(FloatVector.fromArray(F, x, o1 + 4 * words), a1);
            b1 = q5.fma(FloatVector.fromArray(F, x, o1 + 5 * words), b1);
            a1 = q6.fma(FloatVector.fromArray(F, x, o1 + 6 * words), a1);
            b1 = q7.fma(FloatVector.fromArray(F, x, o1 + 7 * words), b1);
            t1 = a1.add(b1).fma(scale, t1);
            FloatVector a2 = q0.mul(FloatVector.fromArray(F, x, o2));
            FloatVector b2 = q1.mul(FloatVector.fromArray(F, x, o2 + words));
            a2 = q2.fma(FloatVector.fromArray(F, x, o2 + 2 * words), a2);
            b2 = q3.fma(FloatVector.fromArray(F, x, o2 + 3 * words), b2);
            a2 = q4.fma(FloatVector.fromArray(F, x, o2 + 4 * words), a2);
            b2 = q5.fma(FloatVector.fromArray(F, x, o2 + 5 * words), b2);
            a2 = q6.fma(FloatVector.fromArray(F, x, o2 + 6 * words), a2);
            b2 = q7.fma(FloatVector.fromArray(F, x, o2 + 7 * words), b2);
            t2 = a2.add(b2).fma(scale, t2);
            FloatVector a3 = q0.mul(FloatVector.fromArray(F, x, o3));
            FloatVector b3 = q1.mul(FloatVector.fromArray(F, x, o3 + words));
            a3 = q2.fma(FloatVector.fromArray(F, x, o3 + 2 * words), a3);
            b3 = q3.fma(FloatVector.fromArray(F, x, o3 + 3 * words), b3);
            a3 = q4.fma(FloatVector.fromArray(F, x, o3 + 4 * words), a3);
            b3 = q5.fma(FloatVector.fromArray(F, x, o3 + 5 * words), b3);
            a3 = q6.fma(FloatVector.fromArray(F, x, o3 + 6 * words), a3);
            b3 = q7.fma(FloatVector.fromArray(F, x, o3 + 7 * words), b3);
            t3 = a3.add(b3).fma(scale, t3);
        }
        t0.intoArray(totals, at);
        t1.intoArray(totals, at + L);
        t2.intoArray(totals, at + 2 * L);
        t3.intoArray(totals, at + 3 * L);
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵ}, Ŵ stored {@code [k, n]} (groups along n): each row of W is decoded in plane
     * order ({@code ŵ = s·q + b} per lane) and added, times x, into y kept in plane order; y is put back in order
     * at the end. Tasks split the columns (whole vectors of words), each summing k ascending.
     */
    static void plain(
            float[] x,
            int m,
            int k,
            int n,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType scaleType,
            int groupSize,
            int bits,
            float[] y) {
        int c = 32 / bits;
        int words = n / c;
        int groups = n / groupSize;
        int mask = (1 << bits) - 1;
        int[] laneGroup = new int[words];
        for (int w = 0; w < words; w++) {
            laneGroup[w] = w * c / groupSize;
        }
        float[] planes = new float[m * n];
        int blocks = words / L;
        int tasks = Math.max(1, Math.min(KernelThreads.count(), blocks));
        int blocksPerTask = (blocks + tasks - 1) / tasks;
        KernelThreads.forEach(tasks, t -> {
            int wFrom = t * blocksPerTask * L;
            int wTo = Math.min(words, wFrom + blocksPerTask * L);
            float[] rowScales = new float[groups];
            float[] rowBiases = new float[groups];
            for (int kk = 0; kk < k; kk++) {
                long groupBytes = (long) kk * groups * scaleType.byteSize();
                HalfVectors.widenRow(scales, groupBytes, scaleType, rowScales, groups);
                HalfVectors.widenRow(biases, groupBytes, scaleType, rowBiases, groups);
                long rowBytes = (long) kk * words * 4;
                for (int w = wFrom; w < wTo; w += L) {
                    IntVector packedWords =
                            IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
                    FloatVector scale = FloatVector.fromArray(F, rowScales, 0, laneGroup, w);
                    FloatVector bias = FloatVector.fromArray(F, rowBiases, 0, laneGroup, w);
                    for (int plane = 0, off = w; plane < c; plane++, off += words) {
                        FloatVector weight = ((FloatVector) packedWords
                                        .lanewise(VectorOperators.LSHR, plane * bits)
                                        .and(mask)
                                        .convert(VectorOperators.I2F, 0))
                                .fma(scale, bias);
                        for (int i = 0; i < m; i++) {
                            int yi = i * n + off;
                            weight.fma(FloatVector.broadcast(F, x[i * k + kk]), FloatVector.fromArray(F, planes, yi))
                                    .intoArray(planes, yi);
                        }
                    }
                }
            }
        });
        for (int i = 0; i < m; i++) {
            for (int w = 0; w < words; w++) {
                for (int plane = 0; plane < c; plane++) {
                    y[i * n + w * c + plane] = planes[i * n + plane * words + w];
                }
            }
        }
    }
}
