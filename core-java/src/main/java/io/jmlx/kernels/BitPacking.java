package io.jmlx.kernels;

import java.lang.foreign.MemorySegment;

/**
 * MLX's packing of b-bit codes: each row is one little-endian bit stream, code {@code j} at stream bits
 * {@code [j*b, (j+1)*b)}, stored as little-endian uint32 words. For b = 3, 5 and 6 codes straddle words.
 */
public final class BitPacking {
    private BitPacking() {}

    /** Number of uint32 words holding {@code count} codes of {@code bits} bits (rounded up). */
    public static long words(long count, int bits) {
        return (count * bits + 31) / 32;
    }

    /** Packs {@code codes[0..n)} into words starting at word index {@code word} of {@code packed}. */
    public static void packRow(int[] codes, int n, int bits, MemorySegment packed, long word) {
        long acc = 0;
        int filled = 0;
        for (int i = 0; i < n; i++) {
            acc |= (long) codes[i] << filled;
            filled += bits;
            if (filled >= 32) {
                packed.setAtIndex(Elements.I32, word++, (int) acc);
                acc >>>= 32;
                filled -= 32;
            }
        }
        if (filled > 0) {
            packed.setAtIndex(Elements.I32, word, (int) acc);
        }
    }

    /** Unpacks {@code n} codes from the words starting at word index {@code word} into {@code codes[0..n)}. */
    public static void unpackRow(MemorySegment packed, long word, int n, int bits, int[] codes) {
        long mask = (1L << bits) - 1;
        long acc = 0;
        int available = 0;
        for (int i = 0; i < n; i++) {
            if (available < bits) {
                acc |= (packed.getAtIndex(Elements.I32, word++) & 0xFFFFFFFFL) << available;
                available += 32;
            }
            codes[i] = (int) (acc & mask);
            acc >>>= bits;
            available -= bits;
        }
    }
}
