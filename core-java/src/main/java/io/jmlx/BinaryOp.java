package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * MLX's elementwise binary arithmetic ({@code add}, {@code subtract}, {@code multiply}, {@code divide}) with NumPy
 * broadcasting. The operands are first converted to MLX's promoted type (float32, float16 or bfloat16), then each
 * result is computed in float32 and rounded to that type (exact for half types: one rounding of the exact result,
 * as MLX's CPU backend computes them in float32 too).
 */
enum BinaryOp {
    ADD("add", "+"),
    SUBTRACT("subtract", "-"),
    MULTIPLY("multiply", "*"),
    DIVIDE("divide", "/");

    private final String name;
    private final String symbol;

    BinaryOp(String name, String symbol) {
        this.name = name;
        this.symbol = symbol;
    }

    private void apply(float[] x, float[] y, int n) {
        switch (this) {
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

    /** {@code a op b}, broadcast, on stream {@code s} ({@code null}: the default). */
    Array apply(Array a, Array b, StreamOrDevice s) {
        String op = name;
        int[] shape = Shape.broadcast(op, a.shape(), b.shape());
        DType t = DType.promote(a.dtype(), b.dtype());
        if (t != DType.FLOAT32 && t != DType.FLOAT16 && t != DType.BFLOAT16) {
            throw new IllegalArgumentException("[" + op + "] jmlx computes " + op + " for arrays whose promoted type "
                    + "is float32, float16 or bfloat16, but " + a.dtype() + " " + symbol + " " + b.dtype()
                    + " promotes to " + t + ".");
        }
        Array at = DenseOps.astype(a, t, s);
        Array bt = DenseOps.astype(b, t, s);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        int rowLength = shape.length == 0 ? 1 : shape[shape.length - 1];
        long rows = rowLength == 0 ? 0 : Shape.size(shape) / rowLength;
        return Scheduler.submit(op, s, new Array[] {at, bt}, shape, t, (in, out) -> {
            float[] x = new float[rowLength];
            float[] y = new float[rowLength];
            for (long r = 0; r < rows; r++) {
                long first = r * rowLength;
                readBroadcastRow(in[0], t, aShape, shape, first, x);
                readBroadcastRow(in[1], t, bShape, shape, first, y);
                apply(x, y, rowLength);
                Elements.writeRow(x, rowLength, out[0], t, first);
            }
        });
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
