package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.DType;
import io.jmlx.kernels.AffineGroupParams;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.Elements;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * MLX's affine {@code quantize} (CPU semantics, spec §1.4) on vectors, bit for bit as
 * {@link io.jmlx.kernels.ScalarKernels#affineQuantize}. Each row takes three passes: group extremes (on order-keeping
 * integer keys of the floats, {@code LANES} groups reduced at once by a {@link LaneTree}); scale and bias of
 * {@code LANES} groups at once with the reference's float32 steps; then codes {@code clamp(rint((w − bias) / scale),
 * 0, n)} sixteen at a time, packed straight into the output. Rows are split into fixed chunks over the kernel thread
 * pool; half-precision rows are widened into a float32 scratch row first. The passes are separate methods that
 * hand over through arrays, so that each stays small enough for the JIT to inline all of its vector operations.
 */
final class VectorAffineQuantizer {
    private VectorAffineQuantizer() {}

    /** MLX's floor for |scale|: the float32 value 1e-7. */
    private static final float EPS = AffineGroupParams.EPS;

    /** {@code 2^23}: adding it to {@code 0 ≤ t < 2^23} rounds t to an integer, ties to even. */
    private static final float ROUNDER = 0x1p23f;

    /** The bits of {@link #ROUNDER}: {@code ROUNDER + k} has the bits {@code ROUNDER_BITS + k} for integers k < 2^23. */
    private static final int ROUNDER_BITS = 0x4B000000;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** True when these kernels handle the arguments (else the caller uses the reference). */
    static boolean supports(DType dtype, int cols, int groupSize, int bits) {
        return LaneShapes.USABLE
                && (dtype == DType.FLOAT32 || dtype == DType.FLOAT16 || dtype == DType.BFLOAT16)
                && groupSize > 0
                && groupSize % LaneShapes.BLOCK == 0
                && cols % groupSize == 0
                && bits >= 1
                && bits <= 8;
    }

    /** See {@link io.jmlx.kernels.Kernels#affineQuantize}. */
    static void quantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases) {
        AtomicBoolean nonFinite = new AtomicBoolean();
        RowChunks.forEach(rows, cols, (from, to) -> {
            if (nonFinite.get()) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                Row row = new Row(
                        dtype, cols, groupSize, bits, dtype == DType.FLOAT32 ? null : arena.allocate(4L * cols, 64));
                for (long r = from; r < to; r++) {
                    if (!row.quantize(w, r, packed, scales, biases)) {
                        nonFinite.set(true);
                        return;
                    }
                }
            }
        });
        if (nonFinite.get()) {
            throw firstNonFinite(w, dtype, rows, cols);
        }
    }

    /** One chunk's settings and scratch space, for its rows one after another. */
    private static final class Row {
        private final DType dtype;
        private final int cols;
        private final int groupSize;
        private final int bits;
        private final int groups;
        private final MemorySegment scratch;
        private final float[] widened;
        private final float[] groupScales;
        private final float[] groupBiases;
        private final float[] blockScales;
        private final float[] blockBiases;
        private final float[] blockRecips;
        private final int[] maxTree = new int[LaneTree.SCRATCH];
        private final int[] minTree = new int[LaneTree.SCRATCH];

        Row(DType dtype, int cols, int groupSize, int bits, MemorySegment scratch) {
            this.dtype = dtype;
            this.cols = cols;
            this.groupSize = groupSize;
            this.bits = bits;
            this.groups = cols / groupSize;
            this.scratch = scratch;
            this.widened = scratch == null ? null : new float[cols];
            this.groupScales = new float[groups];
            this.groupBiases = new float[groups];
            this.blockScales = new float[cols / LaneShapes.BLOCK];
            this.blockBiases = new float[cols / LaneShapes.BLOCK];
            this.blockRecips = new float[cols / LaneShapes.BLOCK];
        }

        /** Quantizes row {@code r}; false (with the row partly written) when it holds NaN or an infinity. */
        boolean quantize(MemorySegment w, long r, MemorySegment packed, MemorySegment scales, MemorySegment biases) {
            MemorySegment src = w;
            long base = r * cols * 4;
            if (dtype != DType.FLOAT32) {
                HalfVectors.widenRow(w, r * cols * 2, dtype, widened, cols);
                MemorySegment.copy(widened, 0, scratch, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE), 0, cols);
                src = scratch;
                base = 0;
            }
            extremes(src, base);
            if (!parameters()) {
                return false;
            }
            spreadOverBlocks();
            // The stored scales and biases are rounded to the dtype (in place: the codes use the float32 values,
            // which the blocks hold now).
            HalfVectors.storeRow(groupScales, 0, groups, dtype, scales, r * groups);
            HalfVectors.storeRow(groupBiases, 0, groups, dtype, biases, r * groups);
            writeCodes(src, base, packed, r * BitPacking.words(cols, bits) * 4);
            return true;
        }

        /**
         * Pass 1: the maximum and minimum of every group of the row into {@link #groupScales} and
         * {@link #groupBiases} (which pass 2 turns into scales and biases).
         */
        private void extremes(MemorySegment src, long base) {
            int batched = groups - groups % LANES;
            for (int g0 = 0; g0 < batched; g0 += LANES) {
                long off = base + 4L * g0 * groupSize;
                // A constant group size lets the compiler unroll the group loops.
                switch (groupSize) {
                    case 32 -> leaves(src, off, 32, maxTree, minTree);
                    case 64 -> leaves(src, off, 64, maxTree, minTree);
                    case 128 -> leaves(src, off, 128, maxTree, minTree);
                    default -> leaves(src, off, groupSize, maxTree, minTree);
                }
                key(LaneTree.max(maxTree)).intoArray(groupScales, g0);
                key(LaneTree.min(minTree)).intoArray(groupBiases, g0);
            }
            for (int g = batched; g < groups; g++) {
                long off = base + 4L * g * groupSize;
                IntVector hi = key(FloatVector.fromMemorySegment(F, src, off, LE));
                IntVector lo = hi;
                for (int i = LANES; i < groupSize; i += LANES) {
                    IntVector v = key(FloatVector.fromMemorySegment(F, src, off + 4L * i, LE));
                    hi = hi.max(v);
                    lo = lo.min(v);
                }
                groupScales[g] = fromKey(hi.reduceLanes(VectorOperators.MAX));
                groupBiases[g] = fromKey(lo.reduceLanes(VectorOperators.MIN));
            }
        }

        /**
         * The extremes (as {@link #key keys}) of the {@code LANES} groups from byte {@code off}, lane-wise: group
         * {@code k}'s maxima go to {@code maxTree} and minima to {@code minTree} at {@link LaneTree#slot slot(k)}.
         */
        private static void leaves(MemorySegment src, long off, int groupSize, int[] maxTree, int[] minTree) {
            for (int k = 0; k < LANES; k++) {
                long at = off + 4L * k * groupSize;
                IntVector hi = key(FloatVector.fromMemorySegment(F, src, at, LE));
                IntVector lo = hi;
                for (int i = LANES; i < groupSize; i += LANES) {
                    IntVector v = key(FloatVector.fromMemorySegment(F, src, at + 4L * i, LE));
                    hi = hi.max(v);
                    lo = lo.min(v);
                }
                hi.intoArray(maxTree, LaneTree.slot(k));
                lo.intoArray(minTree, LaneTree.slot(k));
            }
        }

        /**
         * Pass 2: turns the extremes in {@link #groupScales} and {@link #groupBiases} into the groups' scales and
         * biases there, with the reference's float32 steps. False when an extreme is NaN or infinite.
         */
        private boolean parameters() {
            float nBins = (1 << bits) - 1;
            int batched = groups - groups % LANES;
            for (int g0 = 0; g0 < batched; g0 += LANES) {
                FloatVector wMax = FloatVector.fromArray(F, groupScales, g0);
                FloatVector wMin = FloatVector.fromArray(F, groupBiases, g0);
                // NaN keys sort beyond the infinities, so a NaN anywhere in a group shows in its max or min.
                VectorMask<Float> finite = wMax.abs()
                        .compare(VectorOperators.LE, Float.MAX_VALUE)
                        .and(wMin.abs().compare(VectorOperators.LE, Float.MAX_VALUE));
                if (!finite.allTrue()) {
                    return false;
                }
                VectorMask<Float> minIsEdge = wMin.abs().compare(VectorOperators.GT, wMax.abs());
                FloatVector scale = wMax.sub(wMin).div(nBins);
                scale = scale.blend(EPS, scale.compare(VectorOperators.LT, EPS));
                scale = scale.neg().blend(scale, minIsEdge);
                FloatVector edge = wMax.blend(wMin, minIsEdge);
                FloatVector q0 = rint(edge.div(scale));
                VectorMask<Float> snap = q0.compare(VectorOperators.NE, 0f);
                scale = scale.blend(edge.div(q0), snap);
                FloatVector bias = FloatVector.zero(F).blend(edge, snap);
                scale.intoArray(groupScales, g0);
                bias.intoArray(groupBiases, g0);
            }
            for (int g = batched; g < groups; g++) {
                float wMax = groupScales[g];
                float wMin = groupBiases[g];
                if (!Float.isFinite(wMax) || !Float.isFinite(wMin)) {
                    return false;
                }
                AffineGroupParams.compute(wMin, wMax, nBins, groupScales, groupBiases, g);
            }
            return true;
        }

        /**
         * Spreads every group's scale, bias and (where usable, else NaN) reciprocal of the scale over its blocks of
         * 16 codes, so that pass 3 is one flat loop.
         */
        private void spreadOverBlocks() {
            int perGroup = groupSize / LaneShapes.BLOCK;
            for (int g = 0, b = 0; g < groups; g++) {
                float s = groupScales[g];
                float bias = groupBiases[g];
                float magnitude = Math.abs(s);
                // NaN turns the reciprocal shortcut off where 1/scale would not be a normal float.
                float recip = magnitude > 0x1p-125f && magnitude < 0x1p125f ? 1f / s : Float.NaN;
                for (int k = 0; k < perGroup; k++, b++) {
                    blockScales[b] = s;
                    blockBiases[b] = bias;
                    blockRecips[b] = recip;
                }
            }
        }

        /** Pass 3: the codes of every block of 16, packed into the row's words from byte {@code out}. */
        private void writeCodes(MemorySegment src, long base, MemorySegment packed, long out) {
            int maxCode = (1 << bits) - 1;
            int blocks = cols / LaneShapes.BLOCK;
            int blockBytes = 2 * bits;
            for (int b = 0; b < blocks; b++) {
                FloatVector scale = FloatVector.broadcast(F, blockScales[b]);
                FloatVector bias = FloatVector.broadcast(F, blockBiases[b]);
                FloatVector recip = FloatVector.broadcast(F, blockRecips[b]);
                long at = base + 64L * b;
                long lo;
                long hi;
                if (LANES == 16) {
                    IntVector c = codes(FloatVector.fromMemorySegment(F, src, at, LE), bias, scale, recip, maxCode);
                    lo = CodePacking.codeBytes(c, 0);
                    hi = CodePacking.codeBytes(c, 1);
                } else if (LANES == 8) {
                    lo = CodePacking.codeBytes(
                            codes(FloatVector.fromMemorySegment(F, src, at, LE), bias, scale, recip, maxCode), 0);
                    hi = CodePacking.codeBytes(
                            codes(FloatVector.fromMemorySegment(F, src, at + 32, LE), bias, scale, recip, maxCode), 0);
                } else {
                    lo = CodePacking.codeBytes(
                                    codes(FloatVector.fromMemorySegment(F, src, at, LE), bias, scale, recip, maxCode),
                                    0)
                            | CodePacking.codeBytes(
                                            codes(
                                                    FloatVector.fromMemorySegment(F, src, at + 16, LE),
                                                    bias,
                                                    scale,
                                                    recip,
                                                    maxCode),
                                            0)
                                    << 32;
                    hi = CodePacking.codeBytes(
                                    codes(
                                            FloatVector.fromMemorySegment(F, src, at + 32, LE),
                                            bias,
                                            scale,
                                            recip,
                                            maxCode),
                                    0)
                            | CodePacking.codeBytes(
                                            codes(
                                                    FloatVector.fromMemorySegment(F, src, at + 48, LE),
                                                    bias,
                                                    scale,
                                                    recip,
                                                    maxCode),
                                            0)
                                    << 32;
                }
                CodePacking.pack(lo, hi, bits, packed, out + (long) b * blockBytes);
            }
        }
    }

    /** Bound on {@code |frac(q')|} below which the reciprocal shortcut's rounding is certain: {@code 0.5 − 2^-12}. */
    private static final float SAFE_FRACTION = 0.5f - 0x1p-12f;

    /**
     * The codes of one vector, in the low 8 bits of each lane (higher bits may be set). The reference divides,
     * {@code q = fl((w − bias) / scale)}; a vector division is slow, so this first takes {@code q' = (w − bias) ·
     * fl(1/scale)}, which is within {@code 3u·|q|} of {@code q} (u = 2^-24; {@code recip} normal). Where every lane
     * of q' is farther than {@code 2^-12} from a half-integer, q lies strictly inside the same rounding interval
     * (for {@code 0 ≤ q' ≤ 257} the error is below {@code 2^-14}; outside that range the clamp decides either way),
     * so {@code rint(q')} clamped is the reference's code. Otherwise (a tie or near-tie, NaN) it divides.
     */
    static IntVector codes(FloatVector w, FloatVector bias, FloatVector scale, FloatVector recip, int maxCode) {
        FloatVector q = w.sub(bias).mul(recip);
        FloatVector sum = q.add(ROUNDER);
        FloatVector fraction = q.sub(sum.sub(ROUNDER));
        if (fraction.abs().compare(VectorOperators.LT, SAFE_FRACTION).allTrue()) {
            // sum's bits are ROUNDER_BITS + rint(q) for 0 ≤ q < 2^23, below ROUNDER_BITS for q < 0, above for larger q.
            return sum.reinterpretAsInts().max(ROUNDER_BITS).min(ROUNDER_BITS + maxCode);
        }
        // The reference's steps (as codes(w, bias, scale, maxCode), written out: a call here would box the vectors).
        FloatVector t = w.sub(bias).div(scale);
        IntVector c = t.add(ROUNDER).reinterpretAsInts().sub(ROUNDER_BITS).min(maxCode);
        return c.blend(0, t.compare(VectorOperators.GE, 0f).not().cast(I));
    }

    /**
     * An int per lane that orders as the float does (signed-int order of the keys is float order, -0 just below +0,
     * NaNs beyond the infinities on their sign's side): integer max/min are single instructions where float max/min
     * with Java's NaN and signed-zero rules are not. The map is its own inverse.
     */
    static IntVector key(FloatVector v) {
        IntVector bits = v.reinterpretAsInts();
        return bits.lanewise(
                VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.LSHR, 1));
    }

    /** The floats of keys (see {@link #key(FloatVector)}). */
    static FloatVector key(IntVector keys) {
        return keys.lanewise(
                        VectorOperators.XOR,
                        keys.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.LSHR, 1))
                .reinterpretAsFloats();
    }

    /** The float of one key. */
    static float fromKey(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) >>> 1));
    }

    /** {@link Math#rint} per lane, for every float: below 2^23 in magnitude adding and subtracting 2^23 rounds to even. */
    static FloatVector rint(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector r = a.add(ROUNDER).sub(ROUNDER).blend(a, a.compare(VectorOperators.GE, ROUNDER));
        return r.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
    }

    /**
     * {@code clamp(rint((w − bias) / scale), 0, maxCode)} per lane, as the reference computes it. For
     * {@code 0 ≤ t < 2^23}, {@code t + 2^23} is rounded by the float addition to the integer nearest t (ties to even)
     * and its bits are {@code 0x4B000000 + rint(t)}; larger t (and +∞) give more than {@code maxCode}, and lanes
     * where {@code t ≥ 0} fails (negative t, NaN) become code 0, as {@code (int) min(max(rint(t), 0), n)} does.
     */
    static IntVector codes(FloatVector w, FloatVector bias, FloatVector scale, int maxCode) {
        FloatVector t = w.sub(bias).div(scale);
        IntVector c = t.add(ROUNDER).reinterpretAsInts().sub(ROUNDER_BITS).min(maxCode);
        return c.blend(0, t.compare(VectorOperators.GE, 0f).not().cast(I));
    }

    /** The reference's error for the first NaN or infinity of {@code w} in row-major order. */
    private static IllegalArgumentException firstNonFinite(MemorySegment w, DType dtype, long rows, int cols) {
        for (long r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = Elements.getFloat(w, dtype, r * cols + j);
                if (!Float.isFinite(v)) {
                    return new IllegalArgumentException("w has the non-finite value " + v + " at row " + r + ", column "
                            + j + "; MLX's result for NaN and Inf is unspecified, so jmlx refuses to quantize it");
                }
            }
        }
        throw new IllegalStateException("a non-finite value was reported but none was found");
    }
}
