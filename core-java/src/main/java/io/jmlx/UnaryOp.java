package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;

/**
 * MLX's elementwise math on one array ({@code exp}, {@code log}, {@code sqrt}, {@code rsqrt}, {@code tanh},
 * {@code erf}, {@code sigmoid}, {@code square}, {@code negative}) and the activations of {@code mlx.nn}
 * ({@code silu}, {@code gelu}, {@code gelu_approx}) as single fused ops. The input must be float32, float16 or
 * bfloat16; the result has its type and shape, each element computed in double precision from the input's value and
 * rounded to float32, then (for the half types) to the output type.
 */
enum UnaryOp {
    EXP("exp") {
        @Override
        double compute(double x) {
            return Math.exp(x);
        }
    },
    LOG("log") {
        @Override
        double compute(double x) {
            return Math.log(x);
        }
    },
    SQRT("sqrt") {
        @Override
        double compute(double x) {
            return Math.sqrt(x);
        }
    },
    RSQRT("rsqrt") {
        @Override
        double compute(double x) {
            return 1 / Math.sqrt(x);
        }
    },
    TANH("tanh") {
        @Override
        double compute(double x) {
            return Math.tanh(x);
        }
    },
    ERF("erf") {
        @Override
        double compute(double x) {
            return Erf.erf(x);
        }
    },
    SIGMOID("sigmoid") {
        @Override
        double compute(double x) {
            return 1 / (1 + Math.exp(-x));
        }
    },
    SQUARE("square") {
        @Override
        double compute(double x) {
            return x * x;
        }
    },
    NEGATIVE("negative") {
        @Override
        double compute(double x) {
            return -x;
        }
    },
    /** {@code x · sigmoid(x)}. */
    SILU("silu") {
        @Override
        double compute(double x) {
            return x / (1 + Math.exp(-x));
        }
    },
    /** {@code x · (1 + erf(x/√2)) / 2}. */
    GELU("gelu") {
        @Override
        double compute(double x) {
            return x * (1 + Erf.erf(x / Math.sqrt(2))) / 2;
        }
    },
    /** {@code x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))}. */
    GELU_APPROX("gelu_approx") {
        @Override
        double compute(double x) {
            return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        }
    };

    private static final int CHUNK = 4096;

    private final String mlxName;

    UnaryOp(String mlxName) {
        this.mlxName = mlxName;
    }

    /** The function in double precision. */
    abstract double compute(double x);

    /** The op applied to every element of {@code a}, on stream {@code s} ({@code null}: the default). */
    Array apply(Array a, StreamOrDevice s) {
        OpChecks.requireFloat(mlxName, "a", a);
        DType t = a.dtype();
        long n = a.size();
        return Scheduler.submit(mlxName, s, new Array[] {a}, a.shape(), t, (in, out) -> {
            float[] chunk = new float[(int) Math.min(CHUNK, n)];
            for (long first = 0; first < n; first += CHUNK) {
                int count = (int) Math.min(CHUNK, n - first);
                Elements.readRow(in[0], t, first, chunk, count);
                for (int i = 0; i < count; i++) {
                    chunk[i] = (float) compute(chunk[i]);
                }
                Elements.writeRow(chunk, count, out[0], t, first);
            }
        });
    }
}
