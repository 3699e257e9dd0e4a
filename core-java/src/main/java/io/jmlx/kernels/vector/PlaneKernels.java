package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The inner loops of {@link PackedRowMatmul}: one row of a packed weight times one (or two) rows of x in plane
 * order ({@link CodeFormat}), chunk by chunk: the chunk's planes are decoded in registers, multiplied into two
 * partial sums with x's planes, and the partial sum times the chunk's scales is added to a running vector, which is
 * stored at the end. Written out by hand per format: a loop over planes, or a helper method in the loop, leaves the
 * JIT unable to keep the vectors in registers (large bodies hit its inlining cutoff, and vectors of code that is not
 * inlined are boxed).
 *
 * <p>Every kernel takes the chunk's scales from {@code scales}: one per chunk at {@code so + (c >> groupShift)}
 * when {@code perChunk} is 0 (a group spans whole chunks), else {@code perChunk} scales from {@code so + c·perChunk}
 * spread over the lanes by {@code spread}.
 */
final class PlaneKernels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final FloatVector TWO_126 = FloatVector.broadcast(F, 0x1p126f);
    private static final FloatVector TWO_120 = FloatVector.broadcast(F, 0x1p120f);
    private static final int SIGN = 0x80000000;

    private PlaneKernels() {}

    /**
     * 4-bit codes, eight planes isolated by constant masks (the top one shifted down); {@code rows} consecutive rows
     * of W (their scales {@code groups} apart) against the same row of x, each row's running vector
     * {@code LANES} floats after the previous one's (one call for a task's rows: the loop over rows stays compiled
     * code).
     */
    static void fourBits(
            MemorySegment packed,
            long at,
            int rows,
            int chunks,
            float[] x,
            int xo,
            float[] scales,
            int so,
            int groups,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        long rowBytes = (long) chunks * LANES * 4;
        for (int r = 0; r < rows; r++, at += rowBytes, so += groups, outAt += LANES) {
            fourBitsRow(packed, at, chunks, x, xo, scales, so, groupShift, perChunk, spread, out, outAt);
        }
    }

    /** {@link #fourBits} for one row. */
    private static void fourBitsRow(
            MemorySegment packed,
            long at,
            int chunks,
            float[] x,
            int xo,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        FloatVector total = FloatVector.zero(F);
        for (int c = 0; c < chunks; c++) {
            IntVector v = IntVector.fromMemorySegment(I, packed, at + (long) c * LANES * 4, LE);
            int o = xo + c * 8 * LANES;
            FloatVector a =
                    ((FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, o));
            FloatVector b = ((FloatVector) v.and(0xF0).convert(VectorOperators.I2F, 0))
                    .mul(FloatVector.fromArray(F, x, o + LANES));
            a = ((FloatVector) v.and(0xF00).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 2 * LANES), a);
            b = ((FloatVector) v.and(0xF000).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 3 * LANES), b);
            a = ((FloatVector) v.and(0xF0000).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 4 * LANES), a);
            b = ((FloatVector) v.and(0xF00000).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 5 * LANES), b);
            a = ((FloatVector) v.and(0xF000000).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 6 * LANES), a);
            b = ((FloatVector) v.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 7 * LANES), b);
            FloatVector scale = perChunk == 0
                    ? FloatVector.broadcast(F, scales[so + (c >> groupShift)])
                    : FloatVector.fromArray(F, scales, so + c * perChunk).rearrange(spread);
            total = a.add(b).fma(scale, total);
        }
        total.intoArray(out, outAt);
    }

    /**
     * {@link #fourBits} for two rows of x (at {@code xo} and {@code xo2}) sharing each decoded plane; the two running
     * vectors go to {@code out[outAt]} and {@code out[outAt + LANES]}.
     */
    static void fourBitsTwoRows(
            MemorySegment packed,
            long at,
            int chunks,
            float[] x,
            int xo,
            int xo2,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        FloatVector total = FloatVector.zero(F);
        FloatVector total2 = FloatVector.zero(F);
        for (int c = 0; c < chunks; c++) {
            IntVector v = IntVector.fromMemorySegment(I, packed, at + (long) c * LANES * 4, LE);
            int o = xo + c * 8 * LANES;
            int p = xo2 + c * 8 * LANES;
            FloatVector q = (FloatVector) v.and(0xF).convert(VectorOperators.I2F, 0);
            FloatVector a = q.mul(FloatVector.fromArray(F, x, o));
            FloatVector a2 = q.mul(FloatVector.fromArray(F, x, p));
            q = (FloatVector) v.and(0xF0).convert(VectorOperators.I2F, 0);
            FloatVector b = q.mul(FloatVector.fromArray(F, x, o + LANES));
            FloatVector b2 = q.mul(FloatVector.fromArray(F, x, p + LANES));
            q = (FloatVector) v.and(0xF00).convert(VectorOperators.I2F, 0);
            a = q.fma(FloatVector.fromArray(F, x, o + 2 * LANES), a);
            a2 = q.fma(FloatVector.fromArray(F, x, p + 2 * LANES), a2);
            q = (FloatVector) v.and(0xF000).convert(VectorOperators.I2F, 0);
            b = q.fma(FloatVector.fromArray(F, x, o + 3 * LANES), b);
            b2 = q.fma(FloatVector.fromArray(F, x, p + 3 * LANES), b2);
            q = (FloatVector) v.and(0xF0000).convert(VectorOperators.I2F, 0);
            a = q.fma(FloatVector.fromArray(F, x, o + 4 * LANES), a);
            a2 = q.fma(FloatVector.fromArray(F, x, p + 4 * LANES), a2);
            q = (FloatVector) v.and(0xF00000).convert(VectorOperators.I2F, 0);
            b = q.fma(FloatVector.fromArray(F, x, o + 5 * LANES), b);
            b2 = q.fma(FloatVector.fromArray(F, x, p + 5 * LANES), b2);
            q = (FloatVector) v.and(0xF000000).convert(VectorOperators.I2F, 0);
            a = q.fma(FloatVector.fromArray(F, x, o + 6 * LANES), a);
            a2 = q.fma(FloatVector.fromArray(F, x, p + 6 * LANES), a2);
            q = (FloatVector) v.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
            b = q.fma(FloatVector.fromArray(F, x, o + 7 * LANES), b);
            b2 = q.fma(FloatVector.fromArray(F, x, p + 7 * LANES), b2);
            FloatVector scale = perChunk == 0
                    ? FloatVector.broadcast(F, scales[so + (c >> groupShift)])
                    : FloatVector.fromArray(F, scales, so + c * perChunk).rearrange(spread);
            total = a.add(b).fma(scale, total);
            total2 = a2.add(b2).fma(scale, total2);
        }
        total.intoArray(out, outAt);
        total2.intoArray(out, outAt + LANES);
    }

    /** 2-bit codes: sixteen planes, fifteen isolated by constant masks, the top one shifted down. */
    static void twoBits(
            MemorySegment packed,
            long at,
            int chunks,
            float[] x,
            int xo,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        FloatVector total = FloatVector.zero(F);
        for (int c = 0; c < chunks; c++) {
            IntVector v = IntVector.fromMemorySegment(I, packed, at + (long) c * LANES * 4, LE);
            int o = xo + c * 16 * LANES;
            FloatVector a =
                    ((FloatVector) v.and(3).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, o));
            FloatVector b = ((FloatVector) v.and(3 << 2).convert(VectorOperators.I2F, 0))
                    .mul(FloatVector.fromArray(F, x, o + LANES));
            a = ((FloatVector) v.and(3 << 4).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 2 * LANES), a);
            b = ((FloatVector) v.and(3 << 6).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 3 * LANES), b);
            a = ((FloatVector) v.and(3 << 8).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 4 * LANES), a);
            b = ((FloatVector) v.and(3 << 10).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 5 * LANES), b);
            a = ((FloatVector) v.and(3 << 12).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 6 * LANES), a);
            b = ((FloatVector) v.and(3 << 14).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 7 * LANES), b);
            a = ((FloatVector) v.and(3 << 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 8 * LANES), a);
            b = ((FloatVector) v.and(3 << 18).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 9 * LANES), b);
            a = ((FloatVector) v.and(3 << 20).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 10 * LANES), a);
            b = ((FloatVector) v.and(3 << 22).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 11 * LANES), b);
            a = ((FloatVector) v.and(3 << 24).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 12 * LANES), a);
            b = ((FloatVector) v.and(3 << 26).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 13 * LANES), b);
            a = ((FloatVector) v.and(3 << 28).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 14 * LANES), a);
            b = ((FloatVector) v.lanewise(VectorOperators.LSHR, 30).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 15 * LANES), b);
            FloatVector scale = perChunk == 0
                    ? FloatVector.broadcast(F, scales[so + (c >> groupShift)])
                    : FloatVector.fromArray(F, scales, so + c * perChunk).rearrange(spread);
            total = a.add(b).fma(scale, total);
        }
        total.intoArray(out, outAt);
    }

    /**
     * Eight planes of any affine format ({@code f.unit == 8}: 3 bits, cut from split units): masks from the format,
     * which the loop keeps in registers.
     */
    static void eightPlanes(
            CodeFormat f,
            MemorySegment packed,
            long at,
            int chunks,
            float[] x,
            int xo,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        int chunkBytes = f.chunkBytes;
        boolean split = f.split;
        VectorShuffle<Integer> lowWord = f.lowWord;
        VectorShuffle<Integer> highWord = f.highWord;
        IntVector lowShift = f.lowShift;
        IntVector highShift = f.highShift;
        int m0 = f.mask(0);
        int m1 = f.mask(1);
        int m2 = f.mask(2);
        int m3 = f.mask(3);
        int m4 = f.mask(4);
        int m5 = f.mask(5);
        int m6 = f.mask(6);
        int topShift = f.topShift;
        int topMask = f.topMask;
        FloatVector total = FloatVector.zero(F);
        for (int c = 0; c < chunks; c++) {
            IntVector v = IntVector.fromMemorySegment(I, packed, at + (long) c * chunkBytes, LE);
            if (split) {
                v = v.rearrange(lowWord)
                        .lanewise(VectorOperators.LSHR, lowShift)
                        .or(v.rearrange(highWord).lanewise(VectorOperators.LSHL, highShift));
            }
            int o = xo + c * 8 * LANES;
            FloatVector a =
                    ((FloatVector) v.and(m0).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, o));
            FloatVector b = ((FloatVector) v.and(m1).convert(VectorOperators.I2F, 0))
                    .mul(FloatVector.fromArray(F, x, o + LANES));
            a = ((FloatVector) v.and(m2).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 2 * LANES), a);
            b = ((FloatVector) v.and(m3).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 3 * LANES), b);
            a = ((FloatVector) v.and(m4).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 4 * LANES), a);
            b = ((FloatVector) v.and(m5).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 5 * LANES), b);
            a = ((FloatVector) v.and(m6).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 6 * LANES), a);
            b = ((FloatVector) v.lanewise(VectorOperators.LSHR, topShift)
                            .and(topMask)
                            .convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 7 * LANES), b);
            FloatVector scale = perChunk == 0
                    ? FloatVector.broadcast(F, scales[so + (c >> groupShift)])
                    : FloatVector.fromArray(F, scales, so + c * perChunk).rearrange(spread);
            total = a.add(b).fma(scale, total);
        }
        total.intoArray(out, outAt);
    }

    /** Four planes of any affine format ({@code f.unit == 4}: 8 bits in words, 5 and 6 bits in split units). */
    static void fourPlanes(
            CodeFormat f,
            MemorySegment packed,
            long at,
            int chunks,
            float[] x,
            int xo,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        int chunkBytes = f.chunkBytes;
        boolean split = f.split;
        VectorShuffle<Integer> lowWord = f.lowWord;
        VectorShuffle<Integer> highWord = f.highWord;
        IntVector lowShift = f.lowShift;
        IntVector highShift = f.highShift;
        int m0 = f.mask(0);
        int m1 = f.mask(1);
        int m2 = f.mask(2);
        int topShift = f.topShift;
        int topMask = f.topMask;
        FloatVector total = FloatVector.zero(F);
        for (int c = 0; c < chunks; c++) {
            IntVector v = IntVector.fromMemorySegment(I, packed, at + (long) c * chunkBytes, LE);
            if (split) {
                v = v.rearrange(lowWord)
                        .lanewise(VectorOperators.LSHR, lowShift)
                        .or(v.rearrange(highWord).lanewise(VectorOperators.LSHL, highShift));
            }
            int o = xo + c * 4 * LANES;
            FloatVector a =
                    ((FloatVector) v.and(m0).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, o));
            FloatVector b = ((FloatVector) v.and(m1).convert(VectorOperators.I2F, 0))
                    .mul(FloatVector.fromArray(F, x, o + LANES));
            a = ((FloatVector) v.and(m2).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 2 * LANES), a);
            b = ((FloatVector) v.lanewise(VectorOperators.LSHR, topShift)
                            .and(topMask)
                            .convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(F, x, o + 3 * LANES), b);
            FloatVector scale = perChunk == 0
                    ? FloatVector.broadcast(F, scales[so + (c >> groupShift)])
                    : FloatVector.fromArray(F, scales, so + c * perChunk).rearrange(spread);
            total = a.add(b).fma(scale, total);
        }
        total.intoArray(out, outAt);
    }

    /**
     * E2M1 elements (eight per word). Nibble {@code p} is shifted to the top of the lane: its sign is then bit 31,
     * and its exponent and mantissa bits, moved to float bits 22–24, read as a float that is the element times
     * 2^-126 (exactly, subnormal for 0 and 0.5), so one multiplication by 2^126 gives the element.
     */
    static void e2m1(
            MemorySegment packed,
            long at,
            int chunks,
            float[] x,
            int xo,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        FloatVector total = FloatVector.zero(F);
        for (int c = 0; c < chunks; c++) {
            IntVector v = IntVector.fromMemorySegment(I, packed, at + (long) c * LANES * 4, LE);
            int o = xo + c * 8 * LANES;
            IntVector t = v.lanewise(VectorOperators.LSHL, 28);
            FloatVector a = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .mul(FloatVector.fromArray(F, x, o));
            t = v.lanewise(VectorOperators.LSHL, 24);
            FloatVector b = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .mul(FloatVector.fromArray(F, x, o + LANES));
            t = v.lanewise(VectorOperators.LSHL, 20);
            a = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .fma(FloatVector.fromArray(F, x, o + 2 * LANES), a);
            t = v.lanewise(VectorOperators.LSHL, 16);
            b = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .fma(FloatVector.fromArray(F, x, o + 3 * LANES), b);
            t = v.lanewise(VectorOperators.LSHL, 12);
            a = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .fma(FloatVector.fromArray(F, x, o + 4 * LANES), a);
            t = v.lanewise(VectorOperators.LSHL, 8);
            b = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .fma(FloatVector.fromArray(F, x, o + 5 * LANES), b);
            t = v.lanewise(VectorOperators.LSHL, 4);
            a = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .fma(FloatVector.fromArray(F, x, o + 6 * LANES), a);
            b = v.and(SIGN)
                    .or(v.lanewise(VectorOperators.LSHR, 6).and(0x01C00000))
                    .reinterpretAsFloats()
                    .mul(TWO_126)
                    .fma(FloatVector.fromArray(F, x, o + 7 * LANES), b);
            FloatVector scale = perChunk == 0
                    ? FloatVector.broadcast(F, scales[so + (c >> groupShift)])
                    : FloatVector.fromArray(F, scales, so + c * perChunk).rearrange(spread);
            total = a.add(b).fma(scale, total);
        }
        total.intoArray(out, outAt);
    }

    /**
     * E4M3 elements (four per word), as {@link #e2m1}: byte {@code p} shifted to the top of the lane, its exponent
     * and mantissa moved to float bits 20–26, read as the element times 2^-120 (subnormal below 2^-6 as E4M3 is), one
     * multiplication by 2^120. Like {@link io.jmlx.kernels.FpCodecs#fp8Decode}, 0x7F decodes to 480.
     */
    static void e4m3(
            MemorySegment packed,
            long at,
            int chunks,
            float[] x,
            int xo,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] out,
            int outAt) {
        FloatVector total = FloatVector.zero(F);
        for (int c = 0; c < chunks; c++) {
            IntVector v = IntVector.fromMemorySegment(I, packed, at + (long) c * LANES * 4, LE);
            int o = xo + c * 4 * LANES;
            IntVector t = v.lanewise(VectorOperators.LSHL, 24);
            FloatVector a = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 4).and(0x07F00000))
                    .reinterpretAsFloats()
                    .mul(TWO_120)
                    .mul(FloatVector.fromArray(F, x, o));
            t = v.lanewise(VectorOperators.LSHL, 16);
            FloatVector b = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 4).and(0x07F00000))
                    .reinterpretAsFloats()
                    .mul(TWO_120)
                    .mul(FloatVector.fromArray(F, x, o + LANES));
            t = v.lanewise(VectorOperators.LSHL, 8);
            a = t.and(SIGN)
                    .or(t.lanewise(VectorOperators.LSHR, 4).and(0x07F00000))
                    .reinterpretAsFloats()
                    .mul(TWO_120)
                    .fma(FloatVector.fromArray(F, x, o + 2 * LANES), a);
            b = v.and(SIGN)
                    .or(v.lanewise(VectorOperators.LSHR, 4).and(0x07F00000))
                    .reinterpretAsFloats()
                    .mul(TWO_120)
                    .fma(FloatVector.fromArray(F, x, o + 3 * LANES), b);
            FloatVector scale = perChunk == 0
                    ? FloatVector.broadcast(F, scales[so + (c >> groupShift)])
                    : FloatVector.fromArray(F, scales, so + c * perChunk).rearrange(spread);
            total = a.add(b).fma(scale, total);
        }
        total.intoArray(out, outAt);
    }
}
