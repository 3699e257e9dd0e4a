package io.jmlx.gpu.testing;

import io.jmlx.DType;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpCodecs;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Seeded inputs that probe where a GPU could round differently from the CPU: every row is one kind of group, with
 * a magnitude drawn over a wide range of exponents. Kinds: Gaussians with an offset, uniform values, constants,
 * signed zeros, exact code ties ({@code (k + 0.5)/8} steps, which make {@code (w - bias)/scale} land on .5),
 * subnormal values, values near the type's overflow, values below MLX's 1e-7 scale floor, spikes on a constant,
 * log-uniform magnitudes from tiny to huge, and E2M1/E4M3 midpoints scaled by powers of two (microscaling ties).
 */
public final class AwkwardValues {
    /** Row kinds of {@link #weights}. */
    public static final int KINDS = 11;

    private AwkwardValues() {}

    /** A {@code rows × cols} matrix of {@code dtype}; finite values only. */
    public static MemorySegment weights(DType dtype, int rows, int cols, int bits, long seed) {
        Random random = new Random(seed);
        MemorySegment w = Native.allocate((long) rows * cols, dtype);
        int n = (1 << bits) - 1;
        float huge = switch (dtype) {
            case FLOAT16 -> 6.0e4f;
            default -> 3.0e38f;
        };
        int maxExponent = dtype == DType.FLOAT16 ? 14 : 120;
        int minExponent = dtype == DType.FLOAT16 ? -24 : -140;
        for (int r = 0; r < rows; r++) {
            int kind = Math.floorMod(r + (int) seed, KINDS);
            float scale = (float) Math.scalb(1.0, random.nextInt(maxExponent - minExponent - 20) + minExponent + 10);
            float offset = (float) random.nextGaussian() * scale;
            float constant = (float) random.nextGaussian() * scale;
            for (int j = 0; j < cols; j++) {
                float v = switch (kind) {
                    case 0 -> offset + (float) random.nextGaussian() * scale;
                    case 1 -> (float) (random.nextDouble() * 2 - 1) * scale;
                    case 2 -> constant;
                    case 3 -> random.nextBoolean() ? 0f : -0f;
                    case 4 ->
                        (random.nextBoolean() ? 0.125f : -0.125f)
                                * switch (j % 32) {
                                    case 0 -> 0;
                                    case 1 -> n;
                                    default -> random.nextInt(n) + 0.5f;
                                };
                    case 5 -> (float) random.nextGaussian() * (dtype == DType.FLOAT16 ? 1e-6f : 1e-40f);
                    case 6 ->
                        switch (j % 4) {
                            case 0 -> huge;
                            case 1 -> -huge;
                            default -> (float) random.nextGaussian() * (huge / 8);
                        };
                    case 7 -> j % 3 == 0 ? 0f : (float) random.nextGaussian() * 2e-8f;
                    case 8 -> random.nextInt(8) == 0 ? constant * 1000 : constant;
                    case 9 ->
                        (random.nextBoolean() ? 1 : -1)
                                * (float) Math.scalb(
                                        1.0 + random.nextDouble(),
                                        random.nextInt(maxExponent - minExponent) + minExponent);
                    default -> microscalingTie(random) * (float) Math.scalb(1.0, random.nextInt(40) - 20);
                };
                Elements.setFloat(w, dtype, (long) r * cols + j, v);
            }
        }
        return w;
    }

    /** A value halfway between two E2M1 or two E4M3 neighbours, or the largest element, with a random sign. */
    private static float microscalingTie(Random random) {
        float[] e2m1 = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f, 6f};
        float v = random.nextBoolean() ? e2m1[random.nextInt(e2m1.length)] : midpoint(random.nextInt(125));
        return random.nextBoolean() ? v : -v;
    }

    /** The value halfway between E4M3 codes {@code code} and {@code code + 1}. */
    private static float midpoint(int code) {
        return (FpCodecs.fp8Decode(code) + FpCodecs.fp8Decode(code + 1)) / 2;
    }

    /** Random bytes (packed codes or scale bytes). */
    public static MemorySegment randomBytes(long bytes, long seed) {
        Random random = new Random(seed);
        MemorySegment seg = Native.allocate(bytes, DType.UINT8);
        for (long i = 0; i < bytes; i++) {
            seg.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
        return seg;
    }

    /**
     * {@code count} scales or biases of {@code dtype}: Gaussians of several magnitudes, zeros, values whose
     * products with codes are subnormal, values whose products overflow, and (when {@code special}) infinities and
     * NaN.
     */
    public static MemorySegment parameters(DType dtype, long count, long seed, boolean special) {
        Random random = new Random(seed);
        MemorySegment seg = Native.allocate(count, dtype);
        float big = dtype == DType.FLOAT16 ? 3e3f : 3e36f;
        float tiny = dtype == DType.FLOAT16 ? 1e-6f : 1e-39f;
        for (long i = 0; i < count; i++) {
            float v = switch (random.nextInt(special ? 10 : 8)) {
                case 0 -> random.nextBoolean() ? 0f : -0f;
                case 1 -> (float) random.nextGaussian() * 1e-3f;
                case 2 -> (float) random.nextGaussian() * 30f;
                case 3 -> (float) random.nextGaussian() * big;
                case 4 -> (float) random.nextGaussian() * tiny;
                case 5 -> (float) Math.scalb(random.nextGaussian(), -100 - random.nextInt(30));
                case 6 -> -(float) random.nextGaussian();
                case 7 -> (float) random.nextGaussian();
                case 8 -> random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                default -> Float.NaN;
            };
            Elements.setFloat(seg, dtype, i, v);
        }
        return seg;
    }
}
