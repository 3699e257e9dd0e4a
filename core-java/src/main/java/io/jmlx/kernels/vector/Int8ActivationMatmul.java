package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.kernels.KernelThreads;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * <b>Experimental, opt-in</b> ({@code -Djmlx.matmul.activations=int8}, see {@link ActivationPrecision}): the affine
 * 4-bit {@code y = x · Ŵᵀ} for a few rows of x with x rounded to int8, the codes times x summed in integer lanes.
 *
 * <p>x is cut into blocks of {@link #BLOCK} values along k; block {@code b} gets the scale {@code t_b = max|x|/127}
 * and the integers {@code ξ_i = rint(x_i / t_b)} ({@code |ξ| ≤ 127}). A block of 4-bit codes is one 256-bit vector
 * of 16 short lanes, four codes per lane; its four planes are cut out with shifts and masks and multiplied by ξ (in
 * the same plane order, as shorts) into one short sum per lane (at most {@code 4·15·127}); pairs of short lanes are
 * added into int lanes (at most {@code 8·15·127}), converted to float and added, times {@code s_g·t_b}, to a running
 * vector. The biases use the exact float sums of x per group, as the float path does:
 * {@code y = Σ_b s_{g(b)}·t_b·Σ q·ξ + Σ_g b_g·Σ_{i∈g} x_i}.
 *
 * <p>Error. Only x's rounding differs from the float path: {@code |x_i − t_b·ξ_i| ≤ t_b/2}, so
 *
 * <pre>{@code |y − y_exact| ≤ Σ_b |s_{g(b)}| · (Σ_{i∈b} q_i) · t_b/2  +  float32 terms}</pre>
 *
 * where the float32 terms are {@code γ_n} times the magnitude {@code Σ (|s|·q + |b|)·(|x| + t/2)}, n the roundings
 * an output passes through (blocks + groups + {@code LANES} + group size + 4; the integer sums are exact). Per term
 * the first bound is {@code |s|·q·max_b|x|/254}: 0.4% of the term where |x| is near its block's largest, more for
 * small values beside a large one; on random data the roundings of a block largely cancel and the observed error is
 * a few times smaller. A NaN or infinity in x makes the outputs that read its block non-finite.
 */
final class Int8ActivationMatmul {
    /** Values of x per int8 block: one 256-bit vector of 4-bit codes. */
    static final int BLOCK = 64;

    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final int ROWS_PER_TASK = 16;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Int8ActivationMatmul() {}

    /** A thread's buffers, reused from product to product. */
    private static final class Workspace {
        short[] xq = new short[0];
        float[] xScales = new float[0];
        float[] sums = new float[0];
        float[] scales = new float[0];
        float[] biases = new float[0];
        float[] totals = new float[0];
        float[] blockScales = new float[0];
        float[] blockScales2 = new float[0];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** True when this path takes affine {@code bits}-bit rows of {@code k} codes in groups of {@code groupSize}. */
    static boolean supports(int bits, int k, int groupSize) {
        return bits == 4
                && LaneShapes.USABLE
                && LANES >= F8.length()
                && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
                && k % BLOCK == 0
                && groupSize % BLOCK == 0
                && k % groupSize == 0;
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵᵀ} (row-major float arrays), Ŵ the 4-bit affine codes {@code packed}
     * ({@code [n, k]}) with {@code scales}; {@link #supports} must hold.
     */
    static void transposed(float[] x, int m, int k, int n, MemorySegment packed, RowScales scales, float[] y) {
        int groups = scales.groups();
        int groupSize = scales.groupSize();
        int blocks = k / BLOCK;
        int groupShift = Integer.numberOfTrailingZeros(groupSize / BLOCK);
        Workspace caller = WORKSPACE.get();
        short[] xq = caller.xq = caller.xq.length >= m * k ? caller.xq : new short[m * k];
        float[] xScales = caller.xScales = PackedRowMatmul.fit(caller.xScales, m * blocks);
        float[] sums = caller.sums = PackedRowMatmul.fit(caller.sums, m * groups);
        quantize(x, m * blocks, xq, xScales);
        PackedRowMatmul.groupSums(x, m * groups, groupSize, sums);
        long rowBytes = (long) k / 2;
        int tasks = (n + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        KernelThreads.forEach(tasks, task -> {
            int jFrom = task * ROWS_PER_TASK;
            int rows = Math.min(n, jFrom + ROWS_PER_TASK) - jFrom;
            Workspace ws = WORKSPACE.get();
            float[] rowScales = ws.scales = PackedRowMatmul.fit(ws.scales, rows * groups);
            float[] rowBiases = ws.biases = PackedRowMatmul.fit(ws.biases, rows * groups);
            float[] totals = ws.totals = PackedRowMatmul.fit(ws.totals, rows * m * LANES);
            scales.read(jFrom, rows, rowScales, rowBiases);
            float[] blockScales = ws.blockScales = PackedRowMatmul.fit(ws.blockScales, blocks);
            float[] blockScales2 = ws.blockScales2 = PackedRowMatmul.fit(ws.blockScales2, blocks);
            // Two rows of x at a time share the codes cut out of W.
            for (int r = 0; r < rows; r++) {
                long at = (jFrom + r) * rowBytes;
                int i = 0;
                for (; i + 1 < m; i += 2) {
                    blockScales(rowScales, r * groups, groupShift, xScales, i * blocks, blocks, blockScales);
                    blockScales(rowScales, r * groups, groupShift, xScales, (i + 1) * blocks, blocks, blockScales2);
                    twoRowsOfX(
                            packed, at, blocks, xq, i * k, k, blockScales, blockScales2, totals, (r * m + i) * LANES);
                }
                for (; i < m; i++) {
                    blockScales(rowScales, r * groups, groupShift, xScales, i * blocks, blocks, blockScales);
                    row(packed, at, blocks, xq, i * k, blockScales, totals, (r * m + i) * LANES);
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < m; i++) {
                    y[i * n + jFrom + r] = PackedRowMatmul.finish(
                            totals, (r * m + i) * LANES, rowBiases, r * groups, sums, i * groups, groups);
                }
            }
        });
    }

    /**
     * The factor of each block's integer sum for one row of W and one row of x: {@code s_{g(b)}·t_b}, the row's group
     * scales (at {@code so}, {@code 2^groupShift} blocks a group) times x's block scales (at {@code to}).
     */
    private static void blockScales(
            float[] scales, int so, int groupShift, float[] xScales, int to, int blocks, float[] out) {
        int b = 0;
        if (groupShift == 0) {
            for (int bound = F8.loopBound(blocks); b < bound; b += F8.length()) {
                FloatVector.fromArray(F8, scales, so + b)
                        .mul(FloatVector.fromArray(F8, xScales, to + b))
                        .intoArray(out, b);
            }
        }
        for (; b < blocks; b++) {
            out[b] = scales[so + (b >> groupShift)] * xScales[to + b];
        }
    }

    /**
     * x in int8 blocks of {@link #BLOCK}: the block's scale {@code max|x|/127} into {@code xScales}, the integers into
     * {@code xq} in plane order (plane {@code p}, lane {@code l} of a block is value {@code 4l + p}).
     */
    static void quantize(float[] x, int count, short[] xq, float[] xScales) {
        for (int b = 0; b < count; b++) {
            int from = b * BLOCK;
            float max = 0f;
            for (int i = from; i < from + BLOCK; i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            float inverse = max == 0f ? 0f : 127f / max;
            xScales[b] = max / 127f;
            for (int i = 0; i < BLOCK; i++) {
                float q = Math.min(127f, Math.max(-127f, (float) Math.rint(x[from + i] * inverse)));
                xq[from + (i & 3) * 16 + (i >> 2)] = (short) q;
            }
        }
    }

    /**
     * {@link #row} for one row of W and two rows of x ({@code xo}, {@code xo + xStride}; block factors
     * {@code blockScales}, {@code blockScales2}), the codes cut out once for both.
     */
    private static void twoRowsOfX(
            MemorySegment packed,
            long at,
            int blocks,
            short[] xq,
            int xo,
            int xStride,
            float[] blockScales,
            float[] blockScales2,
            float[] out,
            int outAt) {
        FloatVector total = FloatVector.zero(F8);
        FloatVector total2 = FloatVector.zero(F8);
        for (int b = 0; b < blocks; b++) {
            ShortVector v = ShortVector.fromMemorySegment(S, packed, at + (long) b * 32, LE);
            int o = xo + b * BLOCK;
            int p = o + xStride;
            ShortVector q = v.and((short) 0xF);
            ShortVector acc = q.mul(ShortVector.fromArray(S, xq, o));
            ShortVector acc2 = q.mul(ShortVector.fromArray(S, xq, p));
            q = v.lanewise(VectorOperators.LSHR, 4).and((short) 0xF);
            acc = acc.add(q.mul(ShortVector.fromArray(S, xq, o + 16)));
            acc2 = acc2.add(q.mul(ShortVector.fromArray(S, xq, p + 16)));
            q = v.lanewise(VectorOperators.LSHR, 8).and((short) 0xF);
            acc = acc.add(q.mul(ShortVector.fromArray(S, xq, o + 32)));
            acc2 = acc2.add(q.mul(ShortVector.fromArray(S, xq, p + 32)));
            q = v.lanewise(VectorOperators.LSHR, 12);
            acc = acc.add(q.mul(ShortVector.fromArray(S, xq, o + 48)));
            acc2 = acc2.add(q.mul(ShortVector.fromArray(S, xq, p + 48)));
            IntVector pairs = acc.reinterpretAsInts();
            IntVector sum = pairs.add(pairs.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            IntVector pairs2 = acc2.reinterpretAsInts();
            IntVector sum2 =
                    pairs2.add(pairs2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            total = ((FloatVector) sum.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F8, blockScales[b]), total);
            total2 = ((FloatVector) sum2.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F8, blockScales2[b]), total2);
        }
        store(total, out, outAt);
        store(total2, out, outAt + LANES);
    }

    /** A running vector of {@code F8} lanes as {@code LANES} floats at {@code out[at]}: zeros past its lanes. */
    private static void store(FloatVector total, float[] out, int at) {
        if (LANES != F8.length()) {
            Arrays.fill(out, at, at + LANES, 0f);
        }
        total.intoArray(out, at);
    }

    /**
     * One row of W times one row of x (integers at {@code xo}, block factors {@code blockScales}) into
     * {@code out[outAt]}.
     */
    private static void row(
            MemorySegment packed,
            long at,
            int blocks,
            short[] xq,
            int xo,
            float[] blockScales,
            float[] out,
            int outAt) {
        FloatVector total = FloatVector.zero(F8);
        for (int b = 0; b < blocks; b++) {
            ShortVector v = ShortVector.fromMemorySegment(S, packed, at + (long) b * 32, LE);
            int o = xo + b * BLOCK;
            ShortVector acc = v.and((short) 0xF).mul(ShortVector.fromArray(S, xq, o));
            acc = acc.add(
                    v.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S, xq, o + 16)));
            acc = acc.add(
                    v.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S, xq, o + 32)));
            acc = acc.add(v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, o + 48)));
            // Each int lane: its high short plus its low short (the low one's carry drops out mod 2^16).
            IntVector pairs = acc.reinterpretAsInts();
            IntVector sum = pairs.add(pairs.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            total = ((FloatVector) sum.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(F8, blockScales[b]), total);
        }
        store(total, out, outAt);
    }
}
