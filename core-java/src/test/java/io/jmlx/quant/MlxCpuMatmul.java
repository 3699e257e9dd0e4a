package io.jmlx.quant;

import io.jmlx.DType;
import io.jmlx.kernels.FloatFormats;

/**
 * Test references for quantized matmul outputs, from the dequantized weight {@code wHat}: the exact sum of
 * magnitudes (for error bounds) and an emulation of MLX's x86 CPU kernel, which accumulates sequentially in the
 * output type T ({@code sum = T(sum + T(x·ŵ))}, k ascending), per spec §4.3.
 */
final class MlxCpuMatmul {
    private MlxCpuMatmul() {}

    /**
     * One 2-D problem: x is m×k, ŵ is n×k ({@code transpose}) or k×n; {@code wScale} holds, per weight, the
     * magnitude its computation involves: {@code |s·q| + |b|} (which exceeds |ŵ| when the bias cancels the scaled
     * code, so that the ways of applying scale and bias — before or after the sum — differ by rounding of that size).
     */
    record Problem(
            float[] x, int xOffset, float[] wHat, float[] wScale, int wOffset, int m, int k, int n, boolean transpose) {
        float w(int kk, int j) {
            return transpose ? wHat[wOffset + j * k + kk] : wHat[wOffset + kk * n + j];
        }

        float wMagnitude(int kk, int j) {
            return transpose ? wScale[wOffset + j * k + kk] : wScale[wOffset + kk * n + j];
        }

        float xv(int i, int kk) {
            return x[xOffset + i * k + kk];
        }
    }

    /** Σ_k |x|·(|s·q| + |b|) for each output, in double. */
    static double[] magnitudes(Problem p) {
        double[] out = new double[p.m() * p.n()];
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                double s = 0;
                for (int kk = 0; kk < p.k(); kk++) {
                    s += Math.abs((double) p.xv(i, kk)) * p.wMagnitude(kk, j);
                }
                out[i * p.n() + j] = s;
            }
        }
        return out;
    }

    /** MLX-on-Linux-CPU's result: sequential accumulation in {@code t}, every product and sum rounded to it. */
    static float[] emulate(Problem p, DType t) {
        float[] out = new float[p.m() * p.n()];
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                float sum = 0f;
                for (int kk = 0; kk < p.k(); kk++) {
                    sum = FloatFormats.roundTo(t, sum + FloatFormats.roundTo(t, p.xv(i, kk) * p.w(kk, j)));
                }
                out[i * p.n() + j] = sum;
            }
        }
        return out;
    }

    /**
     * A microscaled 2-D problem: x is m×k; W (n×k with {@code transpose}, else k×n) is given as element values
     * (E2M1 or E4M3, already in T) and one scale per group of {@code groupSize} along W's rows, already in T.
     */
    record FpProblem(
            float[] x,
            int xOffset,
            float[] elements,
            int eOffset,
            float[] scales,
            int sOffset,
            int groupSize,
            int m,
            int k,
            int n,
            boolean transpose) {
        int cols() {
            return transpose ? k : n;
        }

        float element(int row, int col) {
            return elements[eOffset + row * cols() + col];
        }

        float scale(int row, int col) {
            return scales[sOffset + row * (cols() / groupSize) + col / groupSize];
        }
    }

    /** Σ_k |x·ŵ| for each output of a microscaled problem, in double. */
    static double[] magnitudes(FpProblem p) {
        double[] out = new double[p.m() * p.n()];
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                double s = 0;
                for (int kk = 0; kk < p.k(); kk++) {
                    int row = p.transpose() ? j : kk;
                    int col = p.transpose() ? kk : j;
                    s += Math.abs(
                            (double) p.x()[p.xOffset() + i * p.k() + kk] * p.element(row, col) * p.scale(row, col));
                }
                out[i * p.n() + j] = s;
            }
        }
        return out;
    }

    /**
     * MLX's x86 CPU microscaled kernels in T arithmetic: transposed, {@code gsum = T(gsum + T(x·e))} over a group
     * and {@code sum = T(sum + T(scale·gsum))}; otherwise {@code y = T(y + T(T(x·scale)·e))}, k ascending.
     */
    static float[] emulate(FpProblem p, DType t) {
        float[] out = new float[p.m() * p.n()];
        for (int i = 0; i < p.m(); i++) {
            int xi = p.xOffset() + i * p.k();
            if (p.transpose()) {
                for (int j = 0; j < p.n(); j++) {
                    float sum = 0f;
                    for (int g = 0; g < p.k(); g += p.groupSize()) {
                        float gsum = 0f;
                        for (int kk = g; kk < g + p.groupSize(); kk++) {
                            gsum = FloatFormats.roundTo(
                                    t, gsum + FloatFormats.roundTo(t, p.x()[xi + kk] * p.element(j, kk)));
                        }
                        sum = FloatFormats.roundTo(t, sum + FloatFormats.roundTo(t, p.scale(j, g) * gsum));
                    }
                    out[i * p.n() + j] = sum;
                }
            } else {
                for (int kk = 0; kk < p.k(); kk++) {
                    float xv = p.x()[xi + kk];
                    for (int j = 0; j < p.n(); j++) {
                        float w = FloatFormats.roundTo(
                                t, FloatFormats.roundTo(t, xv * p.scale(kk, j)) * p.element(kk, j));
                        out[i * p.n() + j] = FloatFormats.roundTo(t, out[i * p.n() + j] + w);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The activations MLX's CPU {@code qqmm} multiplies: {@code x} quantized and dequantized group by group with its
     * own float32 helper (not the quantize op): scale {@code amax/6} (or /448) encoded as E4M3 (groups of 16) or
     * E8M0 with {@code round} half away from zero and a clamp to ±127, FP4 ties to even (thresholds), results
     * rounded to T.
     */
    static float[] mlxQqActivations(float[] x, DType t, int bits, int groupSize) {
        float[] out = new float[x.length];
        for (int g = 0; g < x.length; g += groupSize) {
            float scale = Float.NEGATIVE_INFINITY;
            for (int j = g; j < g + groupSize; j++) {
                scale = Math.max(scale, Math.abs(x[j]));
            }
            scale /= bits == 4 ? 6.0f : 448.0f;
            if (groupSize == 16) {
                scale = io.jmlx.kernels.FpCodecs.fp8Decode(io.jmlx.kernels.FpCodecs.fp8Encode(scale));
            } else {
                int e;
                if (!Float.isFinite(scale)) {
                    e = 0xFF;
                } else if (scale < 0f) {
                    e = 0;
                } else {
                    float log2 = io.jmlx.kernels.FpCodecs.log2(scale); // -inf for 0, clamped below
                    int n = Float.isInfinite(log2) ? -127 : (int) roundHalfAway(log2);
                    e = Math.max(-127, Math.min(127, n)) + 127;
                }
                scale = FloatFormats.fromBFloat16((short) (e == 0 ? 0x40 : e << 7));
            }
            for (int j = g; j < g + groupSize; j++) {
                float v = scale == 0f ? 0f : x[j] / scale;
                float q = bits == 8
                        ? io.jmlx.kernels.FpCodecs.fp8Decode(io.jmlx.kernels.FpCodecs.fp8Encode(v))
                        : fp4TiesToEven(v);
                out[j] = FloatFormats.roundTo(t, scale * q);
            }
        }
        return out;
    }

    private static double roundHalfAway(float v) {
        return Math.signum(v) * Math.floor(Math.abs(v) + 0.5);
    }

    /** MLX's threshold FP4 encoder (used by qqmm and Metal): ties to even, NaN to 6. */
    private static float fp4TiesToEven(float v) {
        if (Float.isNaN(v)) {
            return 6f;
        }
        float a = Math.abs(v);
        float q;
        if (a > 5f) {
            q = 6f;
        } else if (a >= 3.5f) {
            q = 4f;
        } else if (a > 2.5f) {
            q = 3f;
        } else if (a >= 1.75f) {
            q = 2f;
        } else if (a > 1.25f) {
            q = 1.5f;
        } else if (a >= 0.75f) {
            q = 1f;
        } else if (a > 0.25f) {
            q = 0.5f;
        } else {
            q = 0f;
        }
        return Math.copySign(q, v);
    }
}
