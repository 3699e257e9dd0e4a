package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.backend.AxisLines;
import io.jmlx.backend.Reduction;
import io.jmlx.backend.ReductionKernels;
import java.lang.foreign.MemorySegment;

/** The CPU's reductions and softmax, line by line in double precision. */
final class CpuReductions implements ReductionKernels {

    @Override
    public void reduce(Reduction r, AxisLines lines, DType inType, MemorySegment in, DType outType, MemorySegment out) {
        float[] line = new float[lines.length()];
        for (long l = 0; l < lines.count(); l++) {
            LineAccess.read(lines, in, inType, l, line);
            Elements.setDouble(out, outType, l, reduce(r, line, lines.length()));
        }
    }

    /** The reduction of {@code line[0..n)}. */
    static double reduce(Reduction r, float[] line, int n) {
        return switch (r) {
            case SUM -> sum(line, n);
            case MEAN -> sum(line, n) / n;
            case MAX -> max(line, n);
            case LOGSUMEXP -> logSumExp(line, n);
            case ARGMAX -> argmax(line, n);
        };
    }

    private static double sum(float[] line, int n) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += line[k];
        }
        return sum;
    }

    /** The maximum, NaN if any element is NaN. */
    static double max(float[] line, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            if (Float.isNaN(line[k])) {
                return Float.NaN;
            }
            max = Math.max(max, line[k]);
        }
        return max;
    }

    /** {@code log Σ exp(x)}, computed as {@code m + log Σ exp(x − m)} with {@code m} the maximum. */
    private static double logSumExp(float[] line, int n) {
        double max = max(line, n);
        if (Double.isInfinite(max) || Double.isNaN(max)) {
            return max;
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += Math.exp(line[k] - max);
        }
        return max + Math.log(sum);
    }

    private static double argmax(float[] line, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (line[k] > line[best]) {
                best = k;
            }
        }
        return best;
    }

    @Override
    public void softmax(AxisLines lines, DType dtype, MemorySegment in, MemorySegment out) {
        float[] line = new float[lines.length()];
        double[] exps = new double[lines.length()];
        for (long l = 0; l < lines.count(); l++) {
            LineAccess.read(lines, in, dtype, l, line);
            double max = max(line, line.length);
            double sum = 0;
            for (int k = 0; k < line.length; k++) {
                exps[k] = Math.exp(line[k] - max);
                sum += exps[k];
            }
            for (int k = 0; k < line.length; k++) {
                line[k] = (float) (exps[k] / sum);
            }
            LineAccess.write(lines, line, out, dtype, l);
        }
    }
}
