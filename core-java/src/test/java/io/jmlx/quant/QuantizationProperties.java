package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.kernels.BitPacking;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of affine quantize/dequantize on random shapes and values.
 *
 * <p>The reconstruction bound. Inside a group, an element whose code was not clamped is within half a step,
 * {@code |scale|/2}, of its decoded value. MLX's zero snapping ({@code scale = edge / rint(edge/scale)}) can shrink
 * the step so much that the far end of the group lands beyond code {@code n} and is clamped; its error is then at
 * most one step, {@code |scale|} (MLX's own test uses that bound). Example: 2 bits, group values in [-1.5, 1.5]:
 * the scale snaps to -0.75 and -1.5 decodes to -0.75. So: error ≤ |scale|/2 for unclamped elements, ≤ |scale| for
 * all. For float16/bfloat16 the stored scale and bias are rounded after the codes were chosen, which adds up to
 * {@code n·|Δscale| + |Δbias|} plus two roundings of the decoded value (absolute, 2^-25, among float16 subnormals).
 *
 * <p>Not a property: quantizing the decoded weights again need not give them back, because a group whose codes
 * miss 0 or n has a narrower range the second time, hence another grid.
 */
class QuantizationProperties {

    record Case(DType dtype, int bits, int groupSize, int[] shape, long seed, float magnitude) {
        @Override
        public String toString() {
            return dtype + " bits=" + bits + " g=" + groupSize + " shape=" + Arrays.toString(shape) + " seed=" + seed
                    + " magnitude=" + magnitude;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);
        Arbitrary<Integer> bits = Arbitraries.of(2, 3, 4, 5, 6, 8);
        Arbitrary<Integer> groups = Arbitraries.of(32, 64, 128);
        Arbitrary<int[]> lead = Arbitraries.integers()
                .between(1, 3)
                .array(int[].class)
                .ofMinSize(1)
                .ofMaxSize(3);
        Arbitrary<Integer> groupCount = Arbitraries.integers().between(1, 4);
        Arbitrary<Float> magnitudes = Arbitraries.of(1e-6f, 1e-3f, 1f, 30f, 1e3f);
        return Combinators.combine(dtypes, bits, groups, lead, groupCount, Arbitraries.longs(), magnitudes)
                .as((d, b, g, l, n, seed, mag) -> {
                    int[] shape = Arrays.copyOf(l, l.length + 1);
                    shape[l.length] = g * n;
                    return new Case(d, b, g, shape, seed, mag);
                });
    }

    private static Array input(Case c) {
        Random r = new Random(c.seed());
        int size = Math.toIntExact(io.jmlx.Shape.size(c.shape()));
        float[] v = new float[size];
        float offset = (float) r.nextGaussian() * c.magnitude();
        for (int i = 0; i < size; i++) {
            v[i] = switch (r.nextInt(4)) {
                case 0 -> offset + (float) r.nextGaussian() * c.magnitude(); // shifted: often one-signed groups
                case 1 -> (float) r.nextGaussian() * c.magnitude();
                case 2 -> 0f;
                default -> (float) (r.nextDouble() * 2 - 1) * c.magnitude();
            };
        }
        return Array.of(v, c.dtype(), c.shape());
    }

    /**
     * Shapes and types, and the codes themselves: MLX's rule {@code clamp(rint((w − bias) / scale), 0, n)} in float32
     * arithmetic. For float32 the stored scale and bias are the ones the codes came from, so every code must be
     * exactly that; for the half types they were rounded afterwards (spec §1.6), so a code may sit as far from
     * {@code (w − bias) / scale} as that rounding moves it, plus one half.
     */
    @Property(tries = 300)
    void shapesTypesAndCodesFollowMlxsRule(@ForAll("cases") Case c) {
        Array w = input(c);
        QuantizedParts q = Jmlx.quantize(w, c.groupSize(), c.bits());
        int k = c.shape()[c.shape().length - 1];
        assertArrayEquals(
                io.jmlx.Shape.withLast(c.shape(), k * c.bits() / 32), q.packed().shape());
        assertArrayEquals(
                io.jmlx.Shape.withLast(c.shape(), k / c.groupSize()), q.scales().shape());
        assertTrue(q.scales().dtype() == c.dtype() && q.biases().dtype() == c.dtype());
        float[] values = w.toFloatArray();
        float[] scales = q.scales().toFloatArray();
        float[] biases = q.biases().toFloatArray();
        int[] codes = codes(q, k, c.bits());
        int n = (1 << c.bits()) - 1;
        double u = c.dtype() == DType.FLOAT16 ? 0x1p-11 : 0x1p-8;
        double halfSubnormal = c.dtype() == DType.FLOAT16 ? 0x1p-25 : 0;
        for (int i = 0; i < values.length; i++) {
            int g = (i / k) * (k / c.groupSize()) + (i % k) / c.groupSize();
            float t = (values[i] - biases[g]) / scales[g];
            if (c.dtype() == DType.FLOAT32) {
                double expected = Math.max(0, Math.min(n, Math.rint(t)));
                assertTrue(
                        codes[i] == expected,
                        "element " + i + ": code " + codes[i] + " but clamp(rint((" + values[i] + " - " + biases[g]
                                + ") / " + scales[g] + "), 0, " + n + ") = " + expected);
            } else {
                // How far the rounding of scale and bias to T can move (w − bias) / scale.
                double ds = u * Math.abs(scales[g]) + halfSubnormal;
                double db = u * Math.abs(biases[g]) + halfSubnormal;
                double moved = (db + Math.abs(t) * ds) / (Math.abs(scales[g]) - ds) + 1e-6 * (1 + Math.abs(t));
                double lowest = Math.max(0, Math.min(n, Math.ceil(t - 0.5 - moved)));
                double highest = Math.max(0, Math.min(n, Math.floor(t + 0.5 + moved)));
                assertTrue(
                        codes[i] >= lowest && codes[i] <= highest,
                        "element " + i + ": code " + codes[i] + " outside [" + lowest + ", " + highest + "] for ("
                                + values[i] + " - " + biases[g] + ") / " + scales[g] + " = " + t);
            }
        }
    }

    @Property(tries = 300)
    void dequantizedValuesAreWithinTheStepOfTheInput(@ForAll("cases") Case c) {
        Array w = input(c);
        QuantizedParts q = Jmlx.quantize(w, c.groupSize(), c.bits());
        float[] original = w.toFloatArray();
        float[] decoded = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), c.groupSize(), c.bits())
                .toFloatArray();
        float[] scales = q.scales().toFloatArray();
        float[] biases = q.biases().toFloatArray();
        int k = c.shape()[c.shape().length - 1];
        int[] codes = codes(q, k, c.bits());
        int n = (1 << c.bits()) - 1;
        double u = switch (c.dtype()) {
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            default -> 0x1p-24;
        };
        // Below float16's normal range the rounding error is absolute: half the subnormal spacing, 2^-25.
        double subnormalHalfStep = c.dtype() == DType.FLOAT16 ? 0x1p-25 : 0;
        for (int i = 0; i < original.length; i++) {
            int g = (i / k) * (k / c.groupSize()) + (i % k) / c.groupSize();
            double s = Math.abs(scales[g]);
            double rounding = c.dtype() == DType.FLOAT32
                    ? 4 * Math.ulp(Math.max(Math.abs(original[i]), Math.abs(biases[g])))
                    : n * (2 * u * s + subnormalHalfStep)
                            + 2 * u * (Math.abs(biases[g]) + Math.abs(decoded[i]))
                            + 3 * subnormalHalfStep;
            double error = Math.abs((double) decoded[i] - original[i]);
            assertTrue(
                    error <= s + rounding,
                    "element " + i + ": |" + decoded[i] + " - " + original[i] + "| = " + error + " exceeds |scale| = "
                            + s);
            boolean clampedHigh =
                    codes[i] == n && Math.abs(((double) original[i] - biases[g]) / scales[g]) > n + 0.5 - 1e-3;
            if (!clampedHigh) {
                assertTrue(
                        error <= s / 2 + rounding + s * 1e-3,
                        "element " + i + " (code " + codes[i] + "): |" + decoded[i] + " - " + original[i] + "| = "
                                + error + " exceeds |scale|/2 = " + s / 2);
            }
        }
    }

    @Property(tries = 100)
    void allZeroInputsDecodeToExactZero(@ForAll("cases") Case c) {
        Array zeros = Array.zeros(c.dtype(), c.shape());
        QuantizedParts q = Jmlx.quantize(zeros, c.groupSize(), c.bits());
        float[] decoded = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), c.groupSize(), c.bits())
                .toFloatArray();
        for (float d : decoded) {
            assertTrue(d == 0f);
        }
    }

    private static int[] codes(QuantizedParts q, int k, int bits) {
        int rows = Math.toIntExact(q.packed().size() / q.packed().dim(-1));
        int[] codes = new int[rows * k];
        int[] row = new int[k];
        for (int r = 0; r < rows; r++) {
            BitPacking.unpackRow(q.packed().data(), (long) r * q.packed().dim(-1), k, bits, row);
            System.arraycopy(row, 0, codes, r * k, k);
        }
        return codes;
    }
}
