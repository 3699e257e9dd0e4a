package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.stream.Scheduler;
import io.jmlx.stream.StreamOrDevice;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * MLX's {@code add}: elementwise sum with NumPy broadcasting. The operands are first converted to MLX's promoted
 * type (float32, float16 or bfloat16), then each sum is rounded to that type.
 */
final class AddOp {
    private static final String NAME = "add";

    private AddOp() {
    }

    static Array add(Array a, Array b, StreamOrDevice s) {
        int[] shape = Shape.broadcast(NAME, a.shape(), b.shape());
        DType t = DType.promote(a.dtype(), b.dtype());
        if (t != DType.FLOAT32 && t != DType.FLOAT16 && t != DType.BFLOAT16) {
            throw new IllegalArgumentException("[add] jmlx adds arrays whose promoted type is float32, float16 or "
                    + "bfloat16, but " + a.dtype() + " + " + b.dtype() + " promotes to " + t + ".");
        }
        Array at = DenseOps.astype(a, t, s);
        Array bt = DenseOps.astype(b, t, s);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        int rowLength = shape.length == 0 ? 1 : shape[shape.length - 1];
        long rows = rowLength == 0 ? 0 : Shape.size(shape) / rowLength;
        return Scheduler.submit(NAME, s, new Array[] {at, bt}, shape, t, (in, out) -> {
            float[] x = new float[rowLength];
            float[] y = new float[rowLength];
            for (long r = 0; r < rows; r++) {
                long first = r * rowLength;
                readBroadcastRow(in[0], t, aShape, shape, first, x);
                readBroadcastRow(in[1], t, bShape, shape, first, y);
                for (int i = 0; i < rowLength; i++) {
                    x[i] += y[i];
                }
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
