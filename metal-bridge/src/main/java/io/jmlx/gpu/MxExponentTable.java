package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.kernels.FpFormat;

/**
 * MLX's mx scale exponent {@code e = rint(T(log2(s)))} (log2 rounded to the input type T, then to an integer,
 * as jmlx's CPU kernels compute it) as a table the GPU looks up instead of evaluating log2, whose accuracy Vulkan
 * leaves to the driver. For a positive float s in the binade {@code [2^f, 2^(f+1))}, e is f or f+1 and grows with
 * s; entry {@code f + 149} holds the smallest float bits of that binade whose e is f+1 (the binade's end when
 * there is none), found by bisection with the CPU's own rule ({@link FpFormat#mxExponent}). f runs from -149 (subnormals) to 127.
 */
final class MxExponentTable {
    static final int ENTRIES = 277;

    private MxExponentTable() {}

    /** The table for scales of type {@code dtype}. */
    static int[] build(DType dtype) {
        int[] table = new int[ENTRIES];
        for (int f = -149; f <= 127; f++) {
            int lo = powerOfTwoBits(f);
            int hi = f == 127 ? 0x7F800000 : powerOfTwoBits(f + 1);
            // Smallest bits in [lo, hi) with exponent f + 1, or hi.
            int a = lo;
            int b = hi;
            while (a < b) {
                int mid = a + (b - a) / 2;
                if (cpuExponent(mid, dtype) > f) {
                    b = mid;
                } else {
                    a = mid + 1;
                }
            }
            table[f + 149] = a;
        }
        return table;
    }

    /** The exponent jmlx's CPU kernels give a positive finite scale with float bits {@code bits}. */
    static int cpuExponent(int bits, DType dtype) {
        return FpFormat.mxExponent(Float.intBitsToFloat(bits), dtype);
    }

    private static int powerOfTwoBits(int e) {
        return e >= -126 ? (e + 127) << 23 : 1 << (e + 149);
    }
}
