package io.jmlx.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A walk over a row-major output whose operands are read through strides (broadcast arithmetic, strided copies),
 * cut into the blocks one dispatch each covers. Axes of size 1 are dropped and neighbouring axes merged wherever
 * every operand allows; a block has at most {@link #MAX_DIMS} axes, and each operand's elements in it (and the
 * output's) lie within one storage-buffer binding. Blocks start on whole output words, as the kernels write words.
 *
 * @param count   output elements of the block
 * @param outFirst the output element it starts at
 * @param first   per operand, the element the block's first output element reads
 * @param extent  per operand, the elements from {@code first} the block reads (its binding's length)
 * @param shape   the block's axes
 * @param strides per operand, its strides along them (elements; 0 where it broadcasts)
 */
record StridedBlocks(long count, long outFirst, long[] first, long[] extent, int[] shape, long[][] strides) {
    /** Axes a kernel walks (the {@code MAX_DIMS} of binary.comp and copy.comp). */
    static final int MAX_DIMS = 6;

    /**
     * The blocks of an output of {@code shape} whose operand {@code o} reads element {@code Σ c[d]·strides[o][d]}
     * (non-negative strides), with at most {@code rangeElements[o]} elements of operand {@code o} and
     * {@code outRangeElements} of the output per block, and block starts on multiples of {@code outPerWord} output
     * elements.
     */
    static List<StridedBlocks> of(
            long[] shape, long[][] strides, long[] rangeElements, long outRangeElements, int outPerWord) {
        int operands = strides.length;
        List<Integer> keep = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                return List.of();
            }
            for (long[] s : strides) {
                if (s[d] < 0) {
                    throw new IllegalArgumentException("negative strides are not supported: " + Arrays.toString(s));
                }
            }
            if (shape[d] != 1) {
                keep.add(d);
            }
        }
        // Merge an axis into the next one when every operand steps over the next axis exactly.
        List<long[]> dims = new ArrayList<>(); // {size, stride of operand 0, 1, ...}
        for (int d : keep) {
            long[] dim = new long[operands + 1];
            dim[0] = shape[d];
            for (int o = 0; o < operands; o++) {
                dim[o + 1] = strides[o][d];
            }
            if (!dims.isEmpty()) {
                long[] previous = dims.getLast();
                boolean mergeable = true;
                for (int o = 0; o < operands && mergeable; o++) {
                    mergeable = previous[o + 1] == dim[o + 1] * dim[0];
                }
                if (mergeable) {
                    dim[0] *= previous[0];
                    dims.removeLast();
                }
            }
            dims.add(dim);
        }
        if (dims.isEmpty()) {
            dims.add(new long[operands + 1]);
            dims.getFirst()[0] = 1;
        }
        List<StridedBlocks> blocks = new ArrayList<>();
        split(dims, 0, new long[operands], 0, rangeElements, outRangeElements, outPerWord, blocks);
        return blocks;
    }

    private static void split(
            List<long[]> dims,
            int level,
            long[] first,
            long outFirst,
            long[] range,
            long outRange,
            int outPerWord,
            List<StridedBlocks> blocks) {
        int operands = first.length;
        int n = dims.size();
        long size = dims.get(level)[0];
        long outRest = 1;
        long[] rest = new long[operands];
        Arrays.fill(rest, 1);
        for (int d = level + 1; d < n; d++) {
            outRest *= dims.get(d)[0];
            for (int o = 0; o < operands; o++) {
                rest[o] += (dims.get(d)[0] - 1) * dims.get(d)[o + 1];
            }
        }
        // The longest run along this axis whose elements fit every binding.
        long run = n - level <= MAX_DIMS ? Math.min(size, outRange / outRest) : 0;
        for (int o = 0; o < operands && run > 0; o++) {
            long step = dims.get(level)[o + 1];
            if (rest[o] > range[o]) {
                run = 0;
            } else if (step > 0) {
                run = Math.min(run, (range[o] - rest[o]) / step + 1);
            }
        }
        if (run < size) {
            run -= run % (outPerWord / gcd(outRest, outPerWord)); // whole output words
        }
        if (run <= 0) {
            if (level + 1 >= n || outRest % outPerWord != 0) {
                throw new IllegalArgumentException("this strided operation cannot be split into pieces that fit "
                        + "one storage-buffer binding (" + Arrays.toString(range) + " elements per operand, "
                        + outRange + " of the output)");
            }
            for (long i = 0; i < size; i++) {
                long[] at = first.clone();
                for (int o = 0; o < operands; o++) {
                    at[o] += i * dims.get(level)[o + 1];
                }
                split(dims, level + 1, at, outFirst + i * outRest, range, outRange, outPerWord, blocks);
            }
            return;
        }
        for (long start = 0; start < size; start += run) {
            long length = Math.min(run, size - start);
            int[] shape = new int[n - level];
            long[][] strides = new long[operands][n - level];
            long[] at = first.clone();
            long[] extent = new long[operands];
            for (int o = 0; o < operands; o++) {
                at[o] += start * dims.get(level)[o + 1];
                extent[o] = rest[o] + (length - 1) * dims.get(level)[o + 1];
            }
            for (int d = level; d < n; d++) {
                shape[d - level] = Math.toIntExact(d == level ? length : dims.get(d)[0]);
                for (int o = 0; o < operands; o++) {
                    strides[o][d - level] = dims.get(d)[o + 1];
                }
            }
            blocks.add(new StridedBlocks(length * outRest, outFirst + start * outRest, at, extent, shape, strides));
        }
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** The push constants {@code dims, shape[MAX_DIMS], then strides[MAX_DIMS] of each operand}. */
    int[] axes() {
        int[] out = new int[1 + MAX_DIMS * (1 + strides.length)];
        out[0] = shape.length;
        for (int d = 0; d < shape.length; d++) {
            out[1 + d] = shape[d];
            for (int o = 0; o < strides.length; o++) {
                out[1 + MAX_DIMS * (1 + o) + d] = Math.toIntExact(strides[o][d]);
            }
        }
        return out;
    }
}
