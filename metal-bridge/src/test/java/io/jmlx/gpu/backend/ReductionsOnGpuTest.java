package io.jmlx.gpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.backend.Reduction;
import io.jmlx.gpu.testing.OnBothDevices;
import io.jmlx.gpu.testing.Ulps;
import io.jmlx.stream.StreamOrDevice;
import org.junit.jupiter.api.Test;

/**
 * Reductions, softmax, the norms and RoPE on the GPU against the CPU kernels, on random odd-sized arrays along every
 * axis.
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>sum, mean, logsumexp, softmax: at most 1 ULP. The CPU accumulates in double precision, the GPU in
 *       float-float (about 2^-44 relative to Σ|x|, in a tree order that does not depend on the subgroup size); both
 *       round once, so they differ only where the exact result lies within that error of a rounding midpoint
 *       (with cancellation, Σ|x|/|Σx| times closer). Exponentials and logarithms are float-float too (no driver
 *       exp/log).
 *   <li>max and argmax: exact (comparisons; NaN handled as the CPU does, argmax's first index on ties).
 *   <li>rms_norm and layer_norm: at most 1 ULP: statistics in float-float as the CPU's in double, then the same
 *       roundings (to float32, to the output type, times the weight, plus the bias) in correctly rounded float32.
 *   <li>RoPE: at most 1 ULP: the same double-precision cosines and sines (computed on the host as the CPU does),
 *       the rotation in float-float, one rounding.
 * </ul>
 */
class ReductionsOnGpuTest {
    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};

    @Test
    void reductionsAlongEveryAxisAreWithinOneUlpAndMaxAndArgmaxAreExact() {
        OnBothDevices both = OnBothDevices.get();
        long worst = 0;
        int seed = 100;
        for (DType t : FLOATS) {
            for (int[] shape : new int[][] {{7, 13, 5}, {1, 301}, {130, 3}, {0, 4}}) {
                Array x = both.random(seed++, t, 10, shape);
                for (int axis = 0; axis < shape.length; axis++) {
                    for (Reduction r : Reduction.values()) {
                        if (shape[axis] == 0 && !r.emptyAllowed()) {
                            continue;
                        }
                        Array cpu = reduce(r, x, axis, both.cpu());
                        Array gpu = reduce(r, x, axis, both.gpu());
                        String what =
                                r.mlxName() + " " + t + " axis " + axis + " of " + java.util.Arrays.toString(shape);
                        if (r == Reduction.MAX || r == Reduction.ARGMAX) {
                            assertArrayEquals(cpu.toBytes(), gpu.toBytes(), what);
                        } else {
                            Ulps.Worst d = Ulps.max(cpu, gpu);
                            assertTrue(d.ulps() <= 1, what + ": " + d);
                            worst = Math.max(worst, d.ulps());
                        }
                    }
                    Ulps.Worst softmax = Ulps.max(Jmlx.softmax(x, axis, both.cpu()), Jmlx.softmax(x, axis, both.gpu()));
                    assertTrue(softmax.ulps() <= 1, "softmax " + t + " axis " + axis + ": " + softmax);
                    worst = Math.max(worst, softmax.ulps());
                }
            }
        }
        both.report("sum, mean, logsumexp, softmax", worst + " ULP (max and argmax bit for bit)");
    }

    @Test
    void specialValuesReduceAsOnTheCpu() {
        OnBothDevices both = OnBothDevices.get();
        float inf = Float.POSITIVE_INFINITY;
        float[][] lines = {
            {1, Float.NaN, 3},
            {Float.NaN, 5, 2},
            {-inf, -inf, -inf},
            {inf, 1, 2},
            {inf, -inf, 0},
            {2, 7, 7, 1},
            {-0f, 0f, -0f},
            {3e38f, 3e38f, -3e38f}
        };
        for (float[] line : lines) {
            Array x = Array.of(line, DType.FLOAT32, 1, line.length);
            for (Reduction r : Reduction.values()) {
                Array cpu = reduce(r, x, 1, both.cpu());
                Array gpu = reduce(r, x, 1, both.gpu());
                String what = r.mlxName() + " of " + java.util.Arrays.toString(line);
                if (r == Reduction.ARGMAX) {
                    assertArrayEquals(cpu.toBytes(), gpu.toBytes(), what);
                } else {
                    // Equal values; a NaN's sign and payload are the hardware's (x86 makes -NaN, the GPU +NaN).
                    assertEquals(0, Ulps.max(cpu, gpu).ulps(), what + ": " + Ulps.max(cpu, gpu));
                }
            }
            assertArrayEquals(
                    Jmlx.softmax(x, 1, both.cpu()).toFloatArray(),
                    Jmlx.softmax(x, 1, both.gpu()).toFloatArray(),
                    "softmax of " + java.util.Arrays.toString(line));
        }
    }

    private static Array reduce(Reduction r, Array x, int axis, StreamOrDevice s) {
        return switch (r) {
            case SUM -> Jmlx.sum(x, axis, false, s);
            case MEAN -> Jmlx.mean(x, axis, false, s);
            case MAX -> Jmlx.max(x, axis, false, s);
            case LOGSUMEXP -> Jmlx.logsumexp(x, axis, false, s);
            case ARGMAX -> Jmlx.argmax(x, axis, false, s);
        };
    }

    @Test
    void normsAreWithinOneUlp() {
        OnBothDevices both = OnBothDevices.get();
        long worst = 0;
        int seed = 200;
        for (DType t : FLOATS) {
            for (int[] shape : new int[][] {{5, 67}, {3, 2, 384}, {1, 1}, {2, 1000}}) {
                int n = shape[shape.length - 1];
                Array x = both.random(seed++, t, 3, shape);
                Array w = both.random(seed++, t, 1, n);
                Array b = both.random(seed++, t, 1, n);
                Array wide = both.random(seed++, DType.FLOAT32, 1, n); // promotes the output to float32
                Array[][] cases = {
                    {Jmlx.rmsNorm(x, w, 1e-5f, both.cpu()), Jmlx.rmsNorm(x, w, 1e-5f, both.gpu())},
                    {Jmlx.rmsNorm(x, null, 1e-6f, both.cpu()), Jmlx.rmsNorm(x, null, 1e-6f, both.gpu())},
                    {Jmlx.layerNorm(x, w, b, 1e-5f, both.cpu()), Jmlx.layerNorm(x, w, b, 1e-5f, both.gpu())},
                    {Jmlx.layerNorm(x, null, null, 0f, both.cpu()), Jmlx.layerNorm(x, null, null, 0f, both.gpu())},
                    {Jmlx.layerNorm(x, wide, null, 1e-5f, both.cpu()), Jmlx.layerNorm(x, wide, null, 1e-5f, both.gpu())}
                };
                for (int c = 0; c < cases.length; c++) {
                    Ulps.Worst d = Ulps.max(cases[c][0], cases[c][1]);
                    assertTrue(
                            d.ulps() <= 1,
                            "norm case " + c + " " + t + " " + java.util.Arrays.toString(shape) + ": " + d);
                    worst = Math.max(worst, d.ulps());
                }
            }
        }
        both.report("rms_norm, layer_norm", worst + " ULP");
    }

    @Test
    void ropeIsWithinOneUlpInBothLayoutsAtAnyOffset() {
        OnBothDevices both = OnBothDevices.get();
        long worst = 0;
        int seed = 300;
        for (DType t : FLOATS) {
            for (boolean traditional : new boolean[] {false, true}) {
                for (int offset : new int[] {0, 1, 4093}) {
                    Array x = both.random(seed++, t, 2, 3, 7, 20);
                    for (int dims : new int[] {20, 12}) {
                        Array cpu = Jmlx.rope(x, dims, traditional, 10000f, 1f, offset, both.cpu());
                        Array gpu = Jmlx.rope(x, dims, traditional, 10000f, 1f, offset, both.gpu());
                        Ulps.Worst d = Ulps.max(cpu, gpu);
                        assertTrue(
                                d.ulps() <= 1,
                                "rope " + t + " traditional " + traditional + " offset " + offset + " dims " + dims
                                        + ": " + d);
                        worst = Math.max(worst, d.ulps());
                    }
                }
            }
        }
        both.report("rope", worst + " ULP");
    }
}
