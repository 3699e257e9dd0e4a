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
 * Affine quantized {@code x · Ŵ} (W stored {@code [k, n]}, groups along n) for a few rows of x, straight from the
 * packed words, for 2, 4 and 8 bits (codes never straddle words). A vector of L packed words holds, in "plane"
 * {@code p}, code {@code p} of each word ({@code c = 32/bits} codes per word), so the output is kept in the same
 * plane order and put back in order at the end. ({@link PackedRowMatmul} covers {@code x · Ŵᵀ}.)
 */
final class AffinePlaneMatmul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private AffinePlaneMatmul() {}

    /** True when the words of a row of {@code cols} codes fill whole vectors and codes do not straddle words. */
    static boolean supports(int cols, int bits) {
        return (bits == 2 || bits == 4 || bits == 8) && (cols * bits / 32) % L == 0 && I.length() == L;
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
