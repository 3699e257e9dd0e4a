package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.kernels.FpFormat;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * How the codes of one packed format sit in vector lanes for {@link PackedRowMatmul}: each int lane holds a
 * <em>unit</em> of {@link #unit} consecutive codes of a row, a chunk is {@link LaneShapes#LANES} consecutive units,
 * and <em>plane</em> {@code p} of a chunk is code {@code p} of every unit. A unit is a whole 32-bit word for 2, 4 and 8
 * bits (and for the 4- and 8-bit microscaled elements); for 3, 5 and 6 bits, whose codes straddle words, it is 24 or
 * 20 bits cut from the chunk's first bytes (read as little-endian ints, past the chunk's end) with two lane
 * permutations and two shifts: {@code (words[lowWord] >>> lowShift) | (words[highWord] << highShift)}, bits above
 * the unit left for the masks to drop ({@link #split}).
 *
 * <p>Affine plane {@code p < unit − 1} is isolated with one AND of {@link #mask}{@code (p)}, leaving {@code code · 2^(bits·p)};
 * the top plane is shifted down by {@link #topShift} and masked by {@link #topMask}. {@link #factor} is the power of
 * two that undoes that placement, folded into x once per product.
 */
final class CodeFormat {
    /** What the codes are. */
    enum Kind {
        /** Unsigned integers times a group scale plus a group bias. */
        AFFINE,
        /** E2M1 elements (mxfp4, nvfp4). */
        E2M1,
        /** E4M3 elements (mxfp8). */
        E4M3
    }

    private static final CodeFormat[] AFFINE_FORMATS = new CodeFormat[9];

    static {
        for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
            AFFINE_FORMATS[bits] = new CodeFormat(Kind.AFFINE, bits);
        }
    }

    private static final CodeFormat E2M1 = new CodeFormat(Kind.E2M1, 4);
    private static final CodeFormat E4M3 = new CodeFormat(Kind.E4M3, 8);

    final Kind kind;
    final int bits;
    /** Codes per lane. */
    final int unit;
    /** Codes per chunk ({@code LANES · unit}). */
    final int chunkCodes;
    /** Bytes per chunk. */
    final int chunkBytes;
    /** True when a lane's unit is cut from two words. */
    final boolean split;
    /** Bits the top plane is shifted down by before {@link #topMask}. */
    final int topShift;
    /** The top plane's mask after the shift. */
    final int topMask;

    /** Split units: the word each lane's unit starts in, and the next word. */
    final VectorShuffle<Integer> lowWord;

    final VectorShuffle<Integer> highWord;
    /** Split units: how far each lane's first word is shifted down, and its next word up. */
    final IntVector lowShift;

    final IntVector highShift;

    private CodeFormat(Kind kind, int bits) {
        this.kind = kind;
        this.bits = bits;
        this.split = 32 % bits != 0;
        this.unit = split ? (bits == 5 ? 4 : 24 / bits) : 32 / bits;
        this.chunkCodes = LANES * unit;
        this.chunkBytes = chunkCodes * bits / 8;
        int codeMask = (1 << bits) - 1;
        int top = bits * (unit - 1);
        this.topShift = split ? 0 : top;
        this.topMask = split ? codeMask << top : codeMask;
        int[] low = new int[LANES];
        int[] high = new int[LANES];
        int[] lowShifts = new int[LANES];
        int[] highShifts = new int[LANES];
        int unitBits = unit * bits;
        for (int l = 0; l < LANES; l++) {
            int at = l * unitBits;
            low[l] = at / 32;
            high[l] = Math.min(LANES - 1, at / 32 + 1);
            lowShifts[l] = at % 32;
            // Lanes whose unit lies in one word shift the next word past the unit's bits (masked off later).
            highShifts[l] = at % 32 + unitBits > 32 ? 32 - at % 32 : unitBits;
        }
        this.lowWord = split ? VectorShuffle.fromArray(I, low, 0) : null;
        this.highWord = split ? VectorShuffle.fromArray(I, high, 0) : null;
        this.lowShift = split ? IntVector.fromArray(I, lowShifts, 0) : null;
        this.highShift = split ? IntVector.fromArray(I, highShifts, 0) : null;
    }

    /** The affine format of {@code bits} (2, 3, 4, 5, 6 or 8), or null for another width. */
    static CodeFormat affine(int bits) {
        return bits >= 0 && bits < AFFINE_FORMATS.length ? AFFINE_FORMATS[bits] : null;
    }

    /** The element format of a microscaling format. */
    static CodeFormat of(FpFormat format) {
        return format.bits() == 4 ? E2M1 : E4M3;
    }

    /** The AND mask of affine plane {@code p} (below the top plane). */
    int mask(int p) {
        return ((1 << bits) - 1) << (bits * p);
    }

    /** The factor x's plane {@code p} is scaled by: the inverse of the plane's place value (1 for the elements). */
    float factor(int p) {
        if (kind != Kind.AFFINE) {
            return 1f;
        }
        int place = p == unit - 1 ? bits * p - topShift : bits * p;
        return Math.scalb(1f, -place);
    }
}
