package io.jmlx.quant;

import io.jmlx.DType;
import io.jmlx.kernels.FloatFormats;

/**
 * Test references for quantized matmul outputs, from the dequantized weight {@code wHat}: the exact sum of
 * magnitudes (for error bounds) and an emulation of MLX's x86 CPU kernel, which accumulates sequentially in the
 * output type T ({@code sum = T(sum + T(x·ŵ))}, k ascending), per spec §4.3.
 */
final class MlxCpuMatmul {
    private MlxCpuMatmul() {
    }

    /** One 2-D problem: x is m×k, ŵ is n×k ({@code transpose}) or k×n. */
    record Problem(float[] x, int xOffset, float[] wHat, int wOffset, int m, int k, int n, boolean transpose) {
        float w(int kk, int j) {
            return transpose ? wHat[wOffset + j * k + kk] : wHat[wOffset + kk * n + j];
        }

        float xv(int i, int kk) {
            return x[xOffset + i * k + kk];
        }
    }

    /** Σ_k |x·ŵ| for each output, in double. */
    static double[] magnitudes(Problem p) {
        double[] out = new double[p.m() * p.n()];
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                double s = 0;
                for (int kk = 0; kk < p.k(); kk++) {
                    s += Math.abs((double) p.xv(i, kk) * p.w(kk, j));
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
}
