package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.KernelThreads;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y[m × n] = x[m × k] · Ŵᵀ} for a few rows of x (the matrix-vector products of decoding), straight from
 * the packed affine words of W ({@code [n, k]}, 2, 4 or 8 bits: codes never straddle words).
 *
 * <p>A vector of L packed words holds, in "plane" {@code p}, code {@code p} of each word. x is copied once per
 * product into the same order, one chunk of {@code L} words after the other (plane 0 of the chunk's words, then
 * plane 1, ...), so that a chunk's x is one contiguous run read at constant offsets from one index. 4-bit planes
 * 0–6 are isolated with a single AND, leaving {@code code·16^p}; x is scaled by {@code 16^-p} instead (exact). Each
 * chunk of W is decoded once for all rows of x. The algebra {@code Σ x·(s·q + b) = Σ_g s_g·(Σ x·q) + Σ_g b_g·(Σ x)}
 * applies a scale once per chunk and the biases once per row against group sums of x computed once.
 *
 * <p>x is walked in blocks of k that fit the L1 cache for all its rows together; each output keeps one vector of
 * partial sums across blocks, so the order of additions depends on the shapes only. Tasks of the kernel threads
 * take {@link #ROWS_PER_TASK} rows of W each.
 */
final class PackedRowMatmul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int LOG_L = Integer.numberOfTrailingZeros(L);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(F, -1L << (L / 2));
    private static final int ROWS_PER_TASK = 16;
    /** Floats of x (all rows) per block of k: 16 KiB, half of a small L1 data cache. */
    private static final int X_BLOCK_FLOATS = 4096;

    private PackedRowMatmul() {}

    /**
     * A task's buffers, one set per thread and reused: allocating them per task of 16 rows made megabytes of
     * garbage per product.
     */
    private static final class Workspace {
        float[] scales = new float[0];
        float[] biases = new float[0];
        float[] totals = new float[0];
        final float[] decoded = new float[16 * L];
        final float[] scratch = new float[L];

        Workspace fit(int groupValues, int totalValues) {
            if (scales.length < groupValues) {
                scales = new float[groupValues];
                biases = new float[groupValues];
            }
            if (totals.length < totalValues) {
                totals = new float[totalValues];
            }
            return this;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** True for 2, 4 and 8 bits when a row's words fill whole vectors. */
    static boolean supports(int k, int bits) {
        return (bits == 2 || bits == 4 || bits == 8) && (k * bits / 32) % L == 0 && I.length() == L;
    }

    /** x in chunk-plane order, group sums of x, and where the scales of a chunk come from. */
    private record Prepared(
            float[] planes, float[] groupSums, int[] laneGroup, int k, int words, int groups, int groupShift) {

        static Prepared of(float[] x, int m, int k, int groupSize, int bits) {
            int c = 32 / bits;
            int words = k / c;
            int groups = k / groupSize;
            int chunkCodes = L * c;
            float[] planes = new float[m * k];
            for (int i = 0; i < m; i++) {
                for (int chunk = i * k; chunk < (i + 1) * k; chunk += chunkCodes) {
                    for (int p = 0; p < c; p++) {
                        float factor = planeFactor(bits, p);
                        for (int l = 0; l < L; l++) {
                            planes[chunk + p * L + l] = x[chunk + l * c + p] * factor;
                        }
                    }
                }
            }
            float[] sums = new float[m * groups];
            for (int i = 0; i < m * groups; i++) {
                float s = 0f;
                for (int kk = i * groupSize; kk < (i + 1) * groupSize; kk++) {
                    s += x[kk];
                }
                sums[i] = s;
            }
            int[] laneGroup = new int[words];
            for (int w = 0; w < words; w++) {
                laneGroup[w] = w * c / groupSize;
            }
            return new Prepared(
                    planes, sums, laneGroup, k, words, groups, Integer.numberOfTrailingZeros(groupSize / c));
        }
    }

    /**
     * The factor folded into plane {@code p} of x: {@code 2^-bits·p} for the 4- and 8-bit planes isolated by a mask
     * only (all but the top one), 1 for the top plane (shifted down) and for 2 bits (shifted and masked).
     */
    private static float planeFactor(int bits, int p) {
        return bits != 2 && p < 32 / bits - 1 ? Math.scalb(1f, -bits * p) : 1f;
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵᵀ} (row-major float arrays), Ŵ from {@code packed} ({@code [n, k]} codes of
     * {@code bits}) and its scales and biases of {@code scaleType}; {@link #supports}{@code (k, bits)} must hold.
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
        int groups = p.groups();
        int codesPerWord = 32 / bits;
        int blockWords = Math.min(words, Math.max(L, X_BLOCK_FLOATS / (m * codesPerWord) / L * L));
        int tasks = (n + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        KernelThreads.forEach(tasks, task -> {
            int jFrom = task * ROWS_PER_TASK;
            int rows = Math.min(n, jFrom + ROWS_PER_TASK) - jFrom;
            Workspace ws = WORKSPACE.get().fit(rows * groups, rows * m * L);
            float[] rowScales = ws.scales;
            float[] rowBiases = ws.biases;
            float[] totals = ws.totals;
            float[] decoded = ws.decoded;
            long groupBytes = (long) jFrom * groups * scaleType.byteSize();
            HalfVectors.widenRow(scales, groupBytes, scaleType, rowScales, rows * groups);
            HalfVectors.widenRow(biases, groupBytes, scaleType, rowBiases, rows * groups);
            java.util.Arrays.fill(totals, 0, rows * m * L, 0f);
            for (int wFrom = 0; wFrom < words; wFrom += blockWords) {
                int wTo = Math.min(words, wFrom + blockWords);
                for (int r = 0; r < rows; r++) {
                    long rowBytes = (long) (jFrom + r) * words * Integer.BYTES;
                    int at = r * m * L;
                    if (bits == 2) {
                        twoBits(p, m, packed, rowBytes, rowScales, r * groups, wFrom, wTo, decoded, totals, at);
                    } else if (bits == 8) {
                        eightBits(p, m, packed, rowBytes, rowScales, r * groups, wFrom, wTo, totals, at);
                    } else if (m == 1) {
                        fourBitsOneRow(p, packed, rowBytes, rowScales, r * groups, wFrom, wTo, totals, at);
                    } else {
                        fourBits(p, m, packed, rowBytes, rowScales, r * groups, wFrom, wTo, totals, at);
                    }
                }
            }
            float[] scratch = ws.scratch;
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < m; i++) {
                    float scaled = Lanes.sum(FloatVector.fromArray(F, totals, (r * m + i) * L), scratch);
                    y[i * n + jFrom + r] =
                            scaled + DecodedMatmul.dot(rowBiases, r * groups, p.groupSums(), i * groups, groups);
                }
            }
        });
    }

    /**
     * The per-lane group scales of the chunk at word {@code w}, a group being {@code 2^groupShift} words: a
     * broadcast when the chunk lies in one group, a blend of two broadcasts when each half does, a gather
     * otherwise.
     */
    private static FloatVector chunkScales(float[] scales, int scaleFrom, Prepared p, int w) {
        int groupShift = p.groupShift();
        if (groupShift >= LOG_L) {
            return FloatVector.broadcast(F, scales[scaleFrom + (w >> groupShift)]);
        }
        if (groupShift == LOG_L - 1) {
            int g = scaleFrom + (w >> groupShift);
            return FloatVector.broadcast(F, scales[g]).blend(scales[g + 1], UPPER_HALF);
        }
        return FloatVector.fromArray(F, scales, scaleFrom, p.laneGroup(), w);
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
     * One row of W times one row of x over words {@code [wFrom, wTo)}, the running sum in a register. (Kept to
     * one chunk per iteration: a larger body exceeds C2's inlining budget, and the vectors of helpers that are not
     * inlined are boxed.)
     */
    private static void fourBitsOneRow(
            Prepared p,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        float[] x = p.planes();
        FloatVector total = FloatVector.fromArray(F, totals, at);
        for (int w = wFrom; w < wTo; w += L) {
            IntVector v = IntVector.fromMemorySegment(I, packed, rowBytes + (long) w * Integer.BYTES, LE);
            int o = w * 8;
            FloatVector a = nibble(v, 0).mul(FloatVector.fromArray(F, x, o));
            FloatVector b = nibble(v, 1).mul(FloatVector.fromArray(F, x, o + L));
            a = nibble(v, 2).fma(FloatVector.fromArray(F, x, o + 2 * L), a);
            b = nibble(v, 3).fma(FloatVector.fromArray(F, x, o + 3 * L), b);
            a = nibble(v, 4).fma(FloatVector.fromArray(F, x, o + 4 * L), a);
            b = nibble(v, 5).fma(FloatVector.fromArray(F, x, o + 5 * L), b);
            a = nibble(v, 6).fma(FloatVector.fromArray(F, x, o + 6 * L), a);
            b = topNibble(v).fma(FloatVector.fromArray(F, x, o + 7 * L), b);
            total = a.add(b).fma(chunkScales(scales, scaleFrom, p, w), total);
        }
        total.intoArray(totals, at);
    }

    /** One row of W times {@code m} rows of x: each chunk decoded once, then used by every row of x. */
    private static void fourBits(
            Prepared p,
            int m,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        float[] x = p.planes();
        int k = p.k();
        for (int w = wFrom; w < wTo; w += L) {
            IntVector v = IntVector.fromMemorySegment(I, packed, rowBytes + (long) w * Integer.BYTES, LE);
            FloatVector q0 = nibble(v, 0);
            FloatVector q1 = nibble(v, 1);
            FloatVector q2 = nibble(v, 2);
            FloatVector q3 = nibble(v, 3);
            FloatVector q4 = nibble(v, 4);
            FloatVector q5 = nibble(v, 5);
            FloatVector q6 = nibble(v, 6);
            FloatVector q7 = topNibble(v);
            FloatVector scale = chunkScales(scales, scaleFrom, p, w);
            for (int i = 0, o = w * 8, t = at; i < m; i++, o += k, t += L) {
                FloatVector a = q0.mul(FloatVector.fromArray(F, x, o));
                FloatVector b = q1.mul(FloatVector.fromArray(F, x, o + L));
                a = q2.fma(FloatVector.fromArray(F, x, o + 2 * L), a);
                b = q3.fma(FloatVector.fromArray(F, x, o + 3 * L), b);
                a = q4.fma(FloatVector.fromArray(F, x, o + 4 * L), a);
                b = q5.fma(FloatVector.fromArray(F, x, o + 5 * L), b);
                a = q6.fma(FloatVector.fromArray(F, x, o + 6 * L), a);
                b = q7.fma(FloatVector.fromArray(F, x, o + 7 * L), b);
                a.add(b).fma(scale, FloatVector.fromArray(F, totals, t)).intoArray(totals, t);
            }
        }
    }

    /** {@link #fourBits} for 8 bits: four planes, the lower three isolated by a mask. */
    private static void eightBits(
            Prepared p,
            int m,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int wFrom,
            int wTo,
            float[] totals,
            int at) {
        float[] x = p.planes();
        int k = p.k();
        for (int w = wFrom; w < wTo; w += L) {
            IntVector v = IntVector.fromMemorySegment(I, packed, rowBytes + (long) w * Integer.BYTES, LE);
            FloatVector q0 = (FloatVector) v.and(0xFF).convert(VectorOperators.I2F, 0);
            FloatVector q1 = (FloatVector) v.and(0xFF00).convert(VectorOperators.I2F, 0);
            FloatVector q2 = (FloatVector) v.and(0xFF0000).convert(VectorOperators.I2F, 0);
            FloatVector q3 = (FloatVector) v.lanewise(VectorOperators.LSHR, 24).convert(VectorOperators.I2F, 0);
            FloatVector scale = chunkScales(scales, scaleFrom, p, w);
            for (int i = 0, o = w * 4, t = at; i < m; i++, o += k, t += L) {
                FloatVector a = q0.mul(FloatVector.fromArray(F, x, o));
                FloatVector b = q1.mul(FloatVector.fromArray(F, x, o + L));
                a = q2.fma(FloatVector.fromArray(F, x, o + 2 * L), a);
                b = q3.fma(FloatVector.fromArray(F, x, o + 3 * L), b);
                a.add(b).fma(scale, FloatVector.fromArray(F, totals, t)).intoArray(totals, t);
            }
        }
    }

    /**
     * 2 bits: each chunk's sixteen planes are decoded (shift, mask, convert) into {@code decoded} once, then every
     * row of x takes its dot products from there.
     */
    private static void twoBits(
            Prepared p,
            int m,
            MemorySegment packed,
            long rowBytes,
            float[] scales,
            int scaleFrom,
            int wFrom,
            int wTo,
            float[] decoded,
            float[] totals,
            int at) {
        float[] x = p.planes();
        int k = p.k();
        for (int w = wFrom; w < wTo; w += L) {
            IntVector v = IntVector.fromMemorySegment(I, packed, rowBytes + (long) w * Integer.BYTES, LE);
            // Constant shifts: a shift by a variable count is not compiled to one instruction.
            for (int plane = 0; plane < 16; plane++, v = v.lanewise(VectorOperators.LSHR, 2)) {
                ((FloatVector) v.and(3).convert(VectorOperators.I2F, 0)).intoArray(decoded, plane * L);
            }
            FloatVector scale = chunkScales(scales, scaleFrom, p, w);
            for (int i = 0, o = w * 16, t = at; i < m; i++, o += k, t += L) {
                FloatVector a = FloatVector.zero(F);
                FloatVector b = FloatVector.zero(F);
                for (int q = 0; q < 16 * L; q += 2 * L) {
                    a = FloatVector.fromArray(F, decoded, q).fma(FloatVector.fromArray(F, x, o + q), a);
                    b = FloatVector.fromArray(F, decoded, q + L).fma(FloatVector.fromArray(F, x, o + q + L), b);
                }
                a.add(b).fma(scale, FloatVector.fromArray(F, totals, t)).intoArray(totals, t);
            }
        }
    }
}
