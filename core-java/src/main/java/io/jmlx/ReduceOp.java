package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's reductions along one axis ({@code sum}, {@code mean}, {@code max}, {@code logsumexp}, {@code argmax}), with
 * {@code keepdims} keeping the reduced axis as size 1. The input must be float32, float16 or bfloat16. Sums are
 * accumulated in double precision and rounded once to the input's type; {@code argmax} gives uint32 indices (as
 * MLX), the first one on ties. A NaN makes {@code max} and {@code logsumexp} NaN.
 */
enum ReduceOp {
    SUM("sum", true) {
        @Override
        double reduce(float[] line, int n) {
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += line[k];
            }
            return sum;
        }
    },
    MEAN("mean", true) {
        @Override
        double reduce(float[] line, int n) {
            return SUM.reduce(line, n) / n;
        }
    },
    MAX("max", false) {
        @Override
        double reduce(float[] line, int n) {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                if (Float.isNaN(line[k])) {
                    return Float.NaN;
                }
                max = Math.max(max, line[k]);
            }
            return max;
        }
    },
    /** {@code log Σ exp(x)}, computed as {@code m + log Σ exp(x − m)} with {@code m} the maximum. */
    LOGSUMEXP("logsumexp", false) {
        @Override
        double reduce(float[] line, int n) {
            double max = MAX.reduce(line, n);
            if (Double.isInfinite(max) || Double.isNaN(max)) {
                return max;
            }
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += Math.exp(line[k] - max);
            }
            return max + Math.log(sum);
        }
    },
    ARGMAX("argmax", false) {
        @Override
        double reduce(float[] line, int n) {
            int best = 0;
            for (int k = 1; k < n; k++) {
                if (line[k] > line[best]) {
                    best = k;
                }
            }
            return best;
        }
    };

    private final String mlxName;
    private final boolean emptyAllowed;

    ReduceOp(String mlxName, boolean emptyAllowed) {
        this.mlxName = mlxName;
        this.emptyAllowed = emptyAllowed;
    }

    /** The reduction of {@code line[0..n)}. */
    abstract double reduce(float[] line, int n);

    /** {@code a} reduced along {@code axis} (negative: from the end), on stream {@code s} ({@code null}: the default). */
    Array apply(Array a, int axis, boolean keepdims, StreamOrDevice s) {
        OpChecks.requireFloat(mlxName, "a", a);
        int[] shape = a.shape();
        int ax = OpChecks.axis(mlxName, "axis", axis, shape.length);
        if (shape[ax] == 0 && !emptyAllowed) {
            throw new IllegalArgumentException("[" + mlxName + "] cannot reduce axis " + axis + " of shape "
                    + Shape.format(shape) + ": it is empty.");
        }
        AxisLines lines = AxisLines.of(shape, ax);
        DType in = a.dtype();
        DType out = this == ARGMAX ? DType.UINT32 : in;
        return Scheduler.submit(
                mlxName, s, new Array[] {a}, AxisLines.reducedShape(shape, ax, keepdims), out, (inputs, outputs) -> {
                    float[] line = new float[lines.length()];
                    for (long l = 0; l < lines.count(); l++) {
                        lines.read(inputs[0], in, l, line);
                        Elements.setDouble(outputs[0], out, l, reduce(line, lines.length()));
                    }
                });
    }
}
