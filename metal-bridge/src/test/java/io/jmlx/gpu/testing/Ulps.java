package io.jmlx.gpu.testing;

import io.jmlx.Array;
import io.jmlx.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Distances between float arrays in units in the last place of their type: the number of representable values
 * between two elements (0 for equal bits, for two NaNs, and for +0 against -0).
 */
public final class Ulps {
    private Ulps() {}

    /** The largest distance between two elements, where it is, and their values. */
    public record Worst(long ulps, int index, float want, float got) {
        @Override
        public String toString() {
            return ulps == Long.MAX_VALUE
                    ? "NaN against a number at element " + index + ": " + want + " and " + got
                    : ulps + " ULP at element " + index + ": " + want + " and " + got;
        }
    }

    /** The largest distance between corresponding elements of two float32, float16 or bfloat16 arrays. */
    public static Worst max(Array want, Array got) {
        return max(want, got, null);
    }

    /**
     * The largest distance between corresponding elements, not counting elements whose difference is at most
     * {@code absolute[i]} (an absolute allowance per element, e.g. where a formula cancels; null for none).
     */
    public static Worst max(Array want, Array got, double[] absolute) {
        if (want.dtype() != got.dtype() || want.size() != got.size()) {
            throw new AssertionError("arrays differ in type or size: " + want + " and " + got);
        }
        long[] a = ordinals(want);
        long[] b = ordinals(got);
        float[] fa = want.toFloatArray();
        float[] fb = got.toFloatArray();
        Worst worst = new Worst(0, -1, 0, 0);
        for (int i = 0; i < a.length; i++) {
            boolean bothNan = Float.isNaN(fa[i]) && Float.isNaN(fb[i]);
            if (bothNan || (absolute != null && Math.abs((double) fa[i] - fb[i]) <= absolute[i])) {
                continue;
            }
            long d = Float.isNaN(fa[i]) != Float.isNaN(fb[i]) ? Long.MAX_VALUE : Math.abs(a[i] - b[i]);
            if (d > worst.ulps()) {
                worst = new Worst(d, i, fa[i], fb[i]);
            }
        }
        return worst;
    }

    /** Each element's bit pattern mapped to a position on the number line (monotone; -0 and +0 equal). */
    private static long[] ordinals(Array x) {
        ByteBuffer bytes = ByteBuffer.wrap(x.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[(int) x.size()];
        for (int i = 0; i < out.length; i++) {
            long bits;
            long sign;
            if (x.dtype() == DType.FLOAT32) {
                bits = bytes.getInt(4 * i) & 0xFFFFFFFFL;
                sign = 1L << 31;
            } else if (x.dtype() == DType.FLOAT16 || x.dtype() == DType.BFLOAT16) {
                bits = bytes.getShort(2 * i) & 0xFFFFL;
                sign = 1L << 15;
            } else {
                throw new IllegalArgumentException("not a float array: " + x.dtype());
            }
            long magnitude = bits & (sign - 1);
            out[i] = (bits & sign) != 0 ? -magnitude : magnitude;
        }
        return out;
    }
}
