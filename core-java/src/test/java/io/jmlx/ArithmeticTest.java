package io.jmlx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jmlx.kernels.FloatFormats;
import io.jmlx.testing.RandomArrays;
import java.util.function.BinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Jmlx#subtract}, {@link Jmlx#multiply} and {@link Jmlx#divide}: a row broadcast against a matrix, each
 * result the float32 operation rounded once to the promoted type, and the same argument errors as {@code add}.
 */
class ArithmeticTest {
    enum Op {
        SUBTRACT(Jmlx::subtract, (x, y) -> x - y),
        MULTIPLY(Jmlx::multiply, (x, y) -> x * y),
        DIVIDE(Jmlx::divide, (x, y) -> x / y);

        final BinaryOperator<Array> op;
        final BinaryOperator<Float> reference;

        Op(BinaryOperator<Array> op, BinaryOperator<Float> reference) {
            this.op = op;
            this.reference = reference;
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void broadcastsARowAndRoundsOnceToTheResultType(Op op) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            Array a = RandomArrays.normal(1, 3, t, 3, 5);
            Array b = RandomArrays.normal(2, 3, t, 5);
            Array c = op.op.apply(a, b);
            assertArrayEquals(new int[] {3, 5}, c.shape());
            assertEquals(t, c.dtype());
            float[] x = a.toFloatArray();
            float[] y = b.toFloatArray();
            float[] expected = new float[15];
            for (int i = 0; i < 15; i++) {
                expected[i] = FloatFormats.roundTo(t, op.reference.apply(x[i], y[i % 5]));
            }
            assertArrayEquals(expected, c.toFloatArray(), op + " " + t);
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> op.op.apply(Array.zeros(DType.FLOAT32, 2, 3), Array.zeros(DType.FLOAT32, 4)));
        assertEquals("[" + op.name().toLowerCase() + "] Shapes (2,3) and (4) cannot be broadcast.", e.getMessage());
    }
}
