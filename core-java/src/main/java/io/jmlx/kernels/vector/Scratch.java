package io.jmlx.kernels.vector;

import java.util.Arrays;

/**
 * Per-thread float buffers the matmul kernels reuse from call to call (x widened to float32, y before it is stored in
 * its type), so that a product makes no garbage of its size. Buffers above {@link #KEPT} floats are not kept.
 */
final class Scratch {
    /** The largest buffer kept for the next call: 4 MiB. */
    static final int KEPT = 1 << 20;

    private float[] input = new float[0];
    private float[] output = new float[0];

    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    private Scratch() {}

    /** This thread's buffers. */
    static Scratch get() {
        return CURRENT.get();
    }

    /** A buffer of at least {@code count} floats for an input (contents undefined). */
    float[] input(int count) {
        if (count > KEPT) {
            return new float[count];
        }
        return input.length >= count ? input : (input = new float[count]);
    }

    /** A buffer of at least {@code count} floats for an output, its first {@code count} zero when {@code zeroed}. */
    float[] output(int count, boolean zeroed) {
        if (count > KEPT) {
            return new float[count];
        }
        if (output.length < count) {
            return output = new float[count];
        }
        if (zeroed) {
            Arrays.fill(output, 0, count, 0f);
        }
        return output;
    }
}
