package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.B;
import static io.jmlx.kernels.vector.LaneShapes.L;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * MLX's packing (a little-endian bit stream per row, code {@code j} at bits {@code [j·b, (j+1)·b)}) in blocks of
 * 16 codes, which always fill {@code 2b} whole bytes. Packing narrows the int lanes to bytes and squeezes each
 * 8-byte half with {@link Long#compress} (one {@code pext} on x86); unpacking broadcasts each half's {@code b}
 * bytes to long lanes, shifts every lane to its pair of codes and splits the pair into two int lanes.
 */
final class CodePacking {
    private CodePacking() {}

    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * The low byte of each lane of {@code codes}, in lane order, as the low {@code LANES} bytes of a long
     * ({@code LANES ≤ 8}) or, for 16 lanes, of two longs ({@code half} 0 or 1).
     */
    static long codeBytes(IntVector codes, int half) {
        ByteVector bytes = (ByteVector) codes.convertShape(VectorOperators.I2B, B, 0);
        long word = bytes.reinterpretAsLongs().lane(half);
        return LANES == 4 ? word & 0xFFFFFFFFL : word;
    }

    /**
     * Writes a block of 16 codes, given as one byte each ({@code lo}: codes 0–7, {@code hi}: codes 8–15, each
     * below {@code 2^bits}), as {@code 2·bits} bytes of the bit stream at byte {@code offset}.
     */
    static void pack(long lo, long hi, int bits, MemorySegment seg, long offset) {
        switch (bits) {
            case 4 -> pack4(lo, hi, seg, offset);
            case 8 -> pack8(lo, hi, seg, offset);
            case 2 -> pack2(lo, hi, seg, offset);
            default -> packOther(lo, hi, bits, seg, offset);
        }
    }

    private static void pack8(long lo, long hi, MemorySegment seg, long offset) {
        seg.set(LONG, offset, lo);
        seg.set(LONG, offset + 8, hi);
    }

    private static void pack4(long lo, long hi, MemorySegment seg, long offset) {
        seg.set(LONG, offset, Long.compress(lo, 0x0F0F0F0F0F0F0F0FL) | Long.compress(hi, 0x0F0F0F0F0F0F0F0FL) << 32);
    }

    private static void pack2(long lo, long hi, MemorySegment seg, long offset) {
        seg.set(INT, offset, (int)
                (Long.compress(lo, 0x0303030303030303L) | Long.compress(hi, 0x0303030303030303L) << 16));
    }

    /** Bit widths whose 8 codes are not a whole number of 16-bit units: 1, 3, 5, 6 and 7. */
    private static void packOther(long lo, long hi, int bits, MemorySegment seg, long offset) {
        long mask = 0x0101010101010101L * ((1L << bits) - 1);
        long a = Long.compress(lo, mask);
        long b = Long.compress(hi, mask);
        int half = 8 * bits;
        long first = a | b << half;
        long rest = b >>> (64 - half);
        switch (bits) {
            case 1 -> seg.set(SHORT, offset, (short) first);
            case 3 -> {
                seg.set(INT, offset, (int) first);
                seg.set(SHORT, offset + 4, (short) (first >>> 32));
            }
            case 5 -> {
                seg.set(LONG, offset, first);
                seg.set(SHORT, offset + 8, (short) rest);
            }
            case 6 -> {
                seg.set(LONG, offset, first);
                seg.set(INT, offset + 8, (int) rest);
            }
            case 7 -> {
                seg.set(LONG, offset, first);
                seg.set(INT, offset + 8, (int) rest);
                seg.set(SHORT, offset + 12, (short) (rest >>> 32));
            }
            default -> throw new IllegalArgumentException("bits must be 1 to 8 but is " + bits);
        }
    }

    /** Each long lane's index among the long lanes of a vector. */
    private static final LongVector LANE_INDEX = LongVector.zero(L).addIndex(1);

    /** Long lanes of a 16-lane (8 long lanes) vector that belong to the block's second half (codes 8–15). */
    private static final VectorMask<Long> UPPER = LANE_INDEX.compare(VectorOperators.GE, 4);

    /**
     * The codes of vector {@code part} (0 ≤ part < 16/LANES) of a block, as int lanes: the low {@code bits} bytes of
     * {@code lo} are the block's first {@code bits} bytes (codes 0–7), those of {@code hi} the next {@code bits} bytes
     * (codes 8–15); higher bytes are ignored.
     */
    static IntVector unpack(long lo, long hi, int part, int bits) {
        int firstPair = part * (LANES / 2);
        LongVector words;
        if (LANES == 16) {
            words = LongVector.broadcast(L, lo).blend(hi, UPPER);
        } else {
            words = LongVector.broadcast(L, firstPair < 4 ? lo : hi);
        }
        // Pair k of the block holds codes 2k and 2k+1 at bit 2b·(k mod 4) of its half.
        LongVector shift = LANE_INDEX.add(firstPair).and(3).mul(2L * bits);
        LongVector x = words.lanewise(VectorOperators.LSHR, shift);
        long mask = (1L << bits) - 1;
        LongVector pairs =
                x.and(mask).or(x.lanewise(VectorOperators.LSHR, bits).and(mask).lanewise(VectorOperators.LSHL, 32));
        return pairs.reinterpretAsInts();
    }
}
