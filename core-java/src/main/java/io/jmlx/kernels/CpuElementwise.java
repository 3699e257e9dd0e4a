package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.BinaryFunction;
import io.jmlx.backend.Broadcast;
import io.jmlx.backend.ElementwiseKernels;
import io.jmlx.backend.UnaryFunction;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The CPU's elementwise math: each element computed in double precision from the input's value and rounded to float32,
 * then (for the half types) to the output type; binary results computed in float32 and rounded once (exact for the
 * half types, as MLX's CPU backend computes them in float32 too).
 */
final class CpuElementwise implements ElementwiseKernels {
    private static final int CHUNK = 4096;

    @Override
    public void unary(UnaryFunction f, DType dtype, long count, MemorySegment in, MemorySegment out) {
        float[] chunk = new float[(int) Math.min(CHUNK, count)];
        for (long first = 0; first < count; first += CHUNK) {
            int n = (int) Math.min(CHUNK, count - first);
            Elements.readRow(in, dtype, first, chunk, n);
            for (int i = 0; i < n; i++) {
                chunk[i] = (float) compute(f, chunk[i]);
            }
            Elements.writeRow(chunk, n, out, dtype, first);
        }
    }

    /** {@code f(x)} in double precision. */
    static double compute(UnaryFunction f, double x) {
        return switch (f) {
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case ERF -> Erf.erf(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case SQUARE -> x * x;
            case NEGATIVE -> -x;
            case SILU -> x / (1 + Math.exp(-x));
            case GELU -> x * (1 + Erf.erf(x / Math.sqrt(2))) / 2;
            case GELU_APPROX -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        };
    }

    @Override
    public void binary(
            BinaryFunction f, Broadcast shapes, DType dtype, MemorySegment a, MemorySegment b, MemorySegment out) {
        int[] shape = shapes.out();
        int[] aShape = shapes.a();
        int[] bShape = shapes.b();
        int rowLength = shape.length == 0 ? 1 : shape[shape.length - 1];
        long rows = rowLength == 0 ? 0 : Shape.size(shape) / rowLength;
        float[] x = new float[rowLength];
        float[] y = new float[rowLength];
        for (long r = 0; r < rows; r++) {
            long first = r * rowLength;
            readBroadcastRow(a, dtype, aShape, shape, first, x);
            readBroadcastRow(b, dtype, bShape, shape, first, y);
            apply(f, x, y, rowLength);
            Elements.writeRow(x, rowLength, out, dtype, first);
        }
    }

    private static void apply(BinaryFunction f, float[] x, float[] y, int n) {
        switch (f) {
            case ADD -> {
                for (int i = 0; i < n; i++) {
                    x[i] += y[i];
                }
            }
            case SUBTRACT -> {
                for (int i = 0; i < n; i++) {
                    x[i] -= y[i];
                }
            }
            case MULTIPLY -> {
                for (int i = 0; i < n; i++) {
                    x[i] *= y[i];
                }
            }
            case DIVIDE -> {
                for (int i = 0; i < n; i++) {
                    x[i] /= y[i];
                }
            }
        }
    }

    /** The operand's values for the output row starting at flat index {@code first}, repeated where it broadcasts. */
    private static void readBroadcastRow(MemorySegment seg, DType t, int[] from, int[] to, long first, float[] row) {
        long start = Shape.broadcastIndex(to, first, from);
        boolean repeated = from.length == 0 || from[from.length - 1] == 1;
        if (repeated) {
            Arrays.fill(row, Elements.getFloat(seg, t, start));
        } else {
            Elements.readRow(seg, t, start, row, row.length);
        }
    }
}
