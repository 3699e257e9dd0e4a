package io.jmlx.kernels;

import io.jmlx.backend.NormKernels;
import io.jmlx.backend.NormSpec;
import java.lang.foreign.MemorySegment;

/** The CPU's {@code rms_norm} and {@code layer_norm}: statistics in double precision, MLX's order of rounding. */
final class CpuNorms implements NormKernels {

    @Override
    public void rmsNorm(NormSpec spec, MemorySegment x, MemorySegment weight, MemorySegment out) {
        normalize(spec, x, weight, null, false, out);
    }

    @Override
    public void layerNorm(NormSpec spec, MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out) {
        normalize(spec, x, weight, bias, true, out);
    }

    private static void normalize(
            NormSpec spec,
            MemorySegment x,
            MemorySegment weight,
            MemorySegment bias,
            boolean centered,
            MemorySegment o) {
        int n = spec.size();
        float[] w = new float[n];
        float[] b = new float[n];
        if (spec.weight() != null) {
            Elements.readRow(weight, spec.weight(), 0, w, n);
        }
        if (spec.bias() != null) {
            Elements.readRow(bias, spec.bias(), 0, b, n);
        }
        float[] row = new float[n];
        for (long r = 0; r < spec.rows(); r++) {
            Elements.readRow(x, spec.x(), r * n, row, n);
            double mean = centered ? CpuReductions.reduce(io.jmlx.backend.Reduction.MEAN, row, n) : 0;
            double squares = 0;
            for (int k = 0; k < n; k++) {
                squares += (row[k] - mean) * (row[k] - mean);
            }
            double scale = 1 / Math.sqrt(squares / n + spec.eps());
            for (int k = 0; k < n; k++) {
                float y = FloatFormats.roundTo(spec.out(), (float) ((row[k] - mean) * scale));
                if (spec.weight() != null) {
                    y = FloatFormats.roundTo(spec.out(), y * w[k]);
                }
                if (spec.bias() != null) {
                    y = FloatFormats.roundTo(spec.out(), y + b[k]);
                }
                row[k] = y;
            }
            Elements.writeRow(row, n, o, spec.out(), r * n);
        }
    }
}
