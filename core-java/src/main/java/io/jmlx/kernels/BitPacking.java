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

    /** Whether {@code n} codes of {@code bits} bits fill whole words, none straddling two (a word at a time). */
    private static boolean fillsWords(int n, int bits) {
        return 32 % bits == 0 && n % (32 / bits) == 0;
    }

    /** Packs {@code codes[0..n)} into words starting at word index {@code word} of {@code packed}. */
    public static void packRow(int[] codes, int n, int bits, MemorySegment packed, long word) {
        if (bits == 4 && n % 8 == 0) { // the default width, spelled out: the general loop is half as fast
            for (int i = 0; i < n; i += 8) {
                packed.setAtIndex(
                        Elements.I32,
                        word++,
                        codes[i]
                                | codes[i + 1] << 4
                                | codes[i + 2] << 8
                                | codes[i + 3] << 12
                                | codes[i + 4] << 16
                                | codes[i + 5] << 20
                                | codes[i + 6] << 24
                                | codes[i + 7] << 28);
            }
            return;
        }
        if (fillsWords(n, bits)) {
            int perWord = 32 / bits;
            for (int i = 0; i < n; i += perWord) {
                int w = 0;
                for (int k = 0; k < perWord; k++) {
                    w |= codes[i + k] << (k * bits);
                }
                packed.setAtIndex(Elements.I32, word++, w);
            }
            return;
        }
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
        if (bits == 4 && n % 8 == 0) {
            for (int i = 0; i < n; i += 8) {
                int w = packed.getAtIndex(Elements.I32, word++);
                codes[i] = w & 15;
                codes[i + 1] = (w >>> 4) & 15;
                codes[i + 2] = (w >>> 8) & 15;
                codes[i + 3] = (w >>> 12) & 15;
                codes[i + 4] = (w >>> 16) & 15;
                codes[i + 5] = (w >>> 20) & 15;
                codes[i + 6] = (w >>> 24) & 15;
                codes[i + 7] = w >>> 28;
            }
            return;
        }
        if (fillsWords(n, bits)) {
            int perWord = 32 / bits;
            int wordMask = (1 << bits) - 1;
            for (int i = 0; i < n; i += perWord) {
                int w = packed.getAtIndex(Elements.I32, word++);
                for (int k = 0; k < perWord; k++) {
                    codes[i + k] = (w >>> (k * bits)) & wordMask;
                }
            }
            return;
        }
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
