package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Reduces {@code LANES} int vectors at once, each to its maximum (or minimum), into one vector whose lane
 * {@code k} is the result of vector {@code k}: a transposed reduction tree of {@code LANES − 1} steps, each a
 * blend, a swap of half-segments and one max/min, instead of {@code LANES} horizontal reductions. The vectors travel
 * through a scratch array: vector {@code k} is stored at {@link #slot(int) slot(k)} (a bit-reversed position, which
 * the tree's halving turns back into lane order).
 */
final class LaneTree {
    private LaneTree() {}

    /** Ints of scratch the tree needs. */
    static final int SCRATCH = LANES * LANES;

    private static final int LEVELS = Integer.numberOfTrailingZeros(Math.max(1, LANES));

    /** Lane {@code p} takes lane {@code p ^ (s/2)}: swaps the halves of every segment of {@code s} lanes. */
    private static VectorShuffle<Integer> swap(int s) {
        int half = Math.max(1, Math.min(s, LANES) / 2);
        return VectorShuffle.fromOp(I, p -> p ^ half);
    }

    /** Lanes in the upper half of their segment of {@code s} lanes. */
    private static VectorMask<Integer> upper(int s) {
        int half = Math.max(1, Math.min(s, LANES) / 2);
        return IntVector.zero(I).addIndex(1).and(half).compare(VectorOperators.NE, 0);
    }

    private static final VectorShuffle<Integer> SWAP16 = swap(16);
    private static final VectorShuffle<Integer> SWAP8 = swap(8);
    private static final VectorShuffle<Integer> SWAP4 = swap(4);
    private static final VectorShuffle<Integer> SWAP2 = swap(2);
    private static final VectorMask<Integer> UPPER16 = upper(16);
    private static final VectorMask<Integer> UPPER8 = upper(8);
    private static final VectorMask<Integer> UPPER4 = upper(4);
    private static final VectorMask<Integer> UPPER2 = upper(2);

    /** Where vector {@code k} (0 ≤ k < LANES) goes in the scratch array: at {@code slot(k) · LANES}. */
    static int slot(int k) {
        return (Integer.reverse(k) >>> (32 - LEVELS)) * LANES;
    }

    /** Lane k: the maximum of the vector stored at {@link #slot(int) slot(k)}. Overwrites the scratch. */
    static IntVector max(int[] t) {
        return reduce(t, true);
    }

    /** Lane k: the minimum of the vector stored at {@link #slot(int) slot(k)}. Overwrites the scratch. */
    static IntVector min(int[] t) {
        return reduce(t, false);
    }

    private static IntVector reduce(int[] t, boolean max) {
        int count = LANES;
        if (LANES >= 16) {
            level(t, count, SWAP16, UPPER16, max);
            count >>= 1;
        }
        if (LANES >= 8) {
            level(t, count, SWAP8, UPPER8, max);
            count >>= 1;
        }
        level(t, count, SWAP4, UPPER4, max);
        count >>= 1;
        level(t, count, SWAP2, UPPER2, max);
        return IntVector.fromArray(I, t, 0);
    }

    /**
     * Combines vectors {@code 2i} and {@code 2i+1} into vector {@code i}: within each segment the lower half gets
     * the pairwise fold of the first vector's segment, the upper half that of the second's.
     */
    private static void level(int[] t, int count, VectorShuffle<Integer> swap, VectorMask<Integer> upper, boolean max) {
        for (int i = 0; i < count / 2; i++) {
            IntVector a = IntVector.fromArray(I, t, 2 * i * LANES);
            IntVector b = IntVector.fromArray(I, t, (2 * i + 1) * LANES);
            IntVector d = a.blend(b, upper);
            IntVector e = b.blend(a, upper).rearrange(swap);
            (max ? d.max(e) : d.min(e)).intoArray(t, i * LANES);
        }
    }
}
