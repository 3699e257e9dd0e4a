package io.jmlx.quant;

/** Checks and shape arithmetic shared by the affine ops. */
final class AffineChecks {
    private AffineChecks() {
    }

    /** MLX's supported affine settings (group size 32/64/128; bits 2, 3, 4, 5, 6, 8), with MLX's messages. */
    static void checkSupported(String op, int groupSize, int bits) {
        if (groupSize != 32 && groupSize != 64 && groupSize != 128) {
            throw new IllegalArgumentException("[" + op + "] The requested group size " + groupSize + " is not supported. "
                    + "The supported group sizes are 32, 64, and 128.");
        }
        if (bits < 2 || bits > 8 || bits == 7) {
            throw new IllegalArgumentException("[" + op + "] The requested number of bits " + bits + " is not supported. "
                    + "The supported bits are 2, 3, 4, 5, 6 and 8.");
        }
    }

    /** Codes in a packed row of {@code words} uint32 words at {@code bits} bits, or -1 if they are not a whole number. */
    static long codesPerRow(long words, int bits) {
        return words * 32 % bits == 0 ? words * 32 / bits : -1;
    }
}
