package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.KernelThreads;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

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
    private static final int ROWS_PER_CHUNK = 16;
    /** Floats of x (in plane order) worked on per pass over W: 256 KiB, a comfortable share of L2. */
    private static final int X_TILE_FLOATS = 64 * 1024;

    private AffinePlaneMatmul() {
    }

    /** True when the words of a row of {@code cols} codes fill whole vectors and codes do not straddle words. */
    static boolean supports(int cols, int bits) {
        return (bits == 2 || bits == 4 || bits == 8) && (cols * bits / 32) % L == 0 && I.length() == L;
    }

    /** Products sharing one weight: x in plane order, group sums of x, and the lane → group map of a row. */
    private record Prepared(float[] planes, float[] groupSums, int[] laneGroup, int words, int codesPerWord,
                            int groups) {
        static Prepared of(float[] x, int m, int k, int groupSize, int bits) {
            int c = 32 / bits;
            int words = k / c;
            int groups = k / groupSize;
            float[] planes = new float[m * k];
            float[] sums = new float[m * groups];
            for (int i = 0; i < m; i++) {
                for (int w = 0; w < words; w++) {
                    for (int p = 0; p < c; p++) {
                        planes[i * k + p * words + w] = x[i * k + w * c + p];
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
            return new Prepared(planes, sums, laneGroup, words, c, groups);
        }
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵᵀ}, Ŵ stored {@code [n, k]}: one pass over W per four rows of x, with the rows
     * of x taken in tiles that stay in cache while W streams by.
     */
    static void transposed(float[] x, int m, int k, int n, MemorySegment packed, MemorySegment scales,
                           MemorySegment biases, DType scaleType, int groupSize, int bits, float[] y) {
        Prepared p = Prepared.of(x, m, k, groupSize, bits);
        int chunks = (n + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        int tile = Math.max(4, X_TILE_FLOATS / k / 4 * 4);
        KernelThreads.forEach(chunks, c -> {
            float[] rowScales = new float[p.groups()];
            float[] rowBiases = new float[p.groups()];
            int jFrom = c * ROWS_PER_CHUNK;
            int jTo = Math.min(n, jFrom + ROWS_PER_CHUNK);
            for (int iFrom = 0; iFrom < m; iFrom += tile) {
                int iTo = Math.min(m, iFrom + tile);
                for (int j = jFrom; j < jTo; j++) {
                    Elements.readRow(scales, scaleType, (long) j * p.groups(), rowScales, p.groups());
                    long rowBytes = (long) j * p.words() * 4;
                    int i = iFrom;
                    for (; i + 4 <= iTo; i += 4) {
                        rowTimesFour(p, packed, rowBytes, rowScales, bits, k, i, y, j, n);
                    }
                    for (; i < iTo; i++) {
                        rowTimesOne(p, packed, rowBytes, rowScales, bits, k, i, y, j, n);
                    }
                }
            }
            for (int j = jFrom; j < jTo; j++) {
                Elements.readRow(biases, scaleType, (long) j * p.groups(), rowBiases, p.groups());
                for (int i = 0; i < m; i++) {
                    float b = 0f;
                    for (int g = 0; g < p.groups(); g++) {
                        b += rowBiases[g] * p.groupSums()[i * p.groups() + g];
                    }
                    y[i * n + j] += b;
                }
            }
        });
    }

    private static void rowTimesOne(Prepared p, MemorySegment packed, long rowBytes, float[] rowScales, int bits,
                                    int k, int i, float[] y, int j, int n) {
        int mask = (1 << bits) - 1;
        int words = p.words();
        float[] planes = p.planes();
        int x0 = i * k;
        FloatVector total = FloatVector.zero(F);
        for (int w = 0; w < words; w += L) {
            IntVector packedWords = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
            FloatVector sum = FloatVector.zero(F);
            for (int plane = 0, off = w; plane < p.codesPerWord(); plane++, off += words) {
                FloatVector q = (FloatVector) packedWords.lanewise(VectorOperators.LSHR, plane * bits).and(mask)
                        .convert(VectorOperators.I2F, 0);
                sum = q.fma(FloatVector.fromArray(F, planes, x0 + off), sum);
            }
            total = sum.fma(FloatVector.fromArray(F, rowScales, 0, p.laneGroup(), w), total);
        }
        y[i * n + j] = Lanes.sum(total);
    }

    private static void rowTimesFour(Prepared p, MemorySegment packed, long rowBytes, float[] rowScales, int bits,
                                     int k, int i, float[] y, int j, int n) {
        int mask = (1 << bits) - 1;
        int words = p.words();
        float[] planes = p.planes();
        int x0 = i * k;
        int x1 = x0 + k;
        int x2 = x1 + k;
        int x3 = x2 + k;
        FloatVector t0 = FloatVector.zero(F);
        FloatVector t1 = FloatVector.zero(F);
        FloatVector t2 = FloatVector.zero(F);
        FloatVector t3 = FloatVector.zero(F);
        for (int w = 0; w < words; w += L) {
            IntVector packedWords = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w, ByteOrder.LITTLE_ENDIAN);
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int plane = 0, off = w; plane < p.codesPerWord(); plane++, off += words) {
                FloatVector q = (FloatVector) packedWords.lanewise(VectorOperators.LSHR, plane * bits).and(mask)
                        .convert(VectorOperators.I2F, 0);
                s0 = q.fma(FloatVector.fromArray(F, planes, x0 + off), s0);
                s1 = q.fma(FloatVector.fromArray(F, planes, x1 + off), s1);
                s2 = q.fma(FloatVector.fromArray(F, planes, x2 + off), s2);
                s3 = q.fma(FloatVector.fromArray(F, planes, x3 + off), s3);
            }
            FloatVector scale = FloatVector.fromArray(F, rowScales, 0, p.laneGroup(), w);
            t0 = s0.fma(scale, t0);
            t1 = s1.fma(scale, t1);
            t2 = s2.fma(scale, t2);
            t3 = s3.fma(scale, t3);
        }
        y[i * n + j] = Lanes.sum(t0);
        y[(i + 1) * n + j] = Lanes.sum(t1);
        y[(i + 2) * n + j] = Lanes.sum(t2);
        y[(i + 3) * n + j] = Lanes.sum(t3);
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵ}, Ŵ stored {@code [k, n]} (groups along n): each row of W is decoded in plane
     * order ({@code ŵ = s·q + b} per lane) and added, times x, into y kept in plane order; y is put back in order
     * at the end. Tasks split the columns (whole vectors of words), each summing k ascending.
     */
    static void plain(float[] x, int m, int k, int n, MemorySegment packed, MemorySegment scales,
                      MemorySegment biases, DType scaleType, int groupSize, int bits, float[] y) {
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
                Elements.readRow(scales, scaleType, (long) kk * groups, rowScales, groups);
                Elements.readRow(biases, scaleType, (long) kk * groups, rowBiases, groups);
                long rowBytes = (long) kk * words * 4;
                for (int w = wFrom; w < wTo; w += L) {
                    IntVector packedWords = IntVector.fromMemorySegment(I, packed, rowBytes + 4L * w,
                            ByteOrder.LITTLE_ENDIAN);
                    FloatVector scale = FloatVector.fromArray(F, rowScales, 0, laneGroup, w);
                    FloatVector bias = FloatVector.fromArray(F, rowBiases, 0, laneGroup, w);
                    for (int plane = 0, off = w; plane < c; plane++, off += words) {
                        FloatVector weight = ((FloatVector) packedWords.lanewise(VectorOperators.LSHR, plane * bits)
                                .and(mask).convert(VectorOperators.I2F, 0)).fma(scale, bias);
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
