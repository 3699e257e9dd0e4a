package io.jmlx;

import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's {@code softmax(a, axis)}: {@code exp(x − max) / Σ exp(x − max)} along one axis, numerically stable (the
 * maximum is subtracted first, so large inputs do not overflow). Computed in double precision from the input's
 * values and rounded once per element to the input's type (float32, float16 or bfloat16). A line whose every value
 * is −∞ gives NaN, as MLX.
 */
final class SoftmaxOp {
    private static final String NAME = "softmax";

    private SoftmaxOp() {}

    static Array softmax(Array a, int axis, StreamOrDevice s) {
        OpChecks.requireFloat(NAME, "a", a);
        int[] shape = a.shape();
        AxisLines lines = AxisLines.of(shape, OpChecks.axis(NAME, "axis", axis, shape.length));
        DType t = a.dtype();
        return Scheduler.submit(NAME, s, new Array[] {a}, shape, t, (in, out) -> {
            float[] line = new float[lines.length()];
            double[] exps = new double[lines.length()];
            for (long l = 0; l < lines.count(); l++) {
                lines.read(in[0], t, l, line);
                double max = ReduceOp.MAX.reduce(line, line.length);
                double sum = 0;
                for (int k = 0; k < line.length; k++) {
                    exps[k] = Math.exp(line[k] - max);
                    sum += exps[k];
                }
                for (int k = 0; k < line.length; k++) {
                    line[k] = (float) (exps[k] / sum);
                }
                lines.write(line, out[0], t, l);
            }
        });
    }
}
