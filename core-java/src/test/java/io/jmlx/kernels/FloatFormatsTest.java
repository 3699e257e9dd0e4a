package io.jmlx.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * float32 ↔ float16/bfloat16 as MLX converts: exact widening, round to nearest even, subnormals, infinities and
 * MLX's NaN patterns. The nearest-even property is checked against the neighbouring half values, independently of
 * the conversion's own arithmetic.
 */
class FloatFormatsTest {

    @Test
    void everyFloat16RoundTripsThroughFloat32() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = FloatFormats.fromFloat16(h);
            if (Float.isNaN(f)) {
                assertEquals(
                        (short) ((bits & 0x8000) | 0x7D00),
                        FloatFormats.toFloat16(f),
                        "NaN " + Integer.toHexString(bits));
            } else {
                assertEquals(h, FloatFormats.toFloat16(f), "float16 " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void everyBFloat16RoundTripsThroughFloat32() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = FloatFormats.fromBFloat16(h);
            assertEquals(Float.floatToRawIntBits(f), bits << 16, "bfloat16 widening is a shift");
            assertEquals(
                    Float.isNaN(f) ? (short) 0x7FC0 : h,
                    FloatFormats.toBFloat16(f),
                    "bfloat16 " + Integer.toHexString(bits));
        }
    }

    @Test
    void specialValues() {
        assertEquals((short) 0x7C00, FloatFormats.toFloat16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xFC00, FloatFormats.toFloat16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x7C00, FloatFormats.toFloat16(65520f), "overflow rounds to inf");
        assertEquals((short) 0x7BFF, FloatFormats.toFloat16(65519f));
        assertEquals((short) 0x0001, FloatFormats.toFloat16(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, FloatFormats.toFloat16(0x1p-25f), "tie to even (zero)");
        assertEquals(
                (short) 0x0002,
                FloatFormats.toFloat16(0x1.8p-23f / 2),
                "1.5·2^-24 is a tie and rounds to 2·2^-24 (even)");
        assertEquals((short) 0x0003, FloatFormats.toFloat16(0x1.8p-23f), "3·2^-24 is exact");
        assertEquals((short) 0x8002, FloatFormats.toFloat16(-1e-7f), "spec §1.7: -1e-7 is the subnormal 0x8002");
        assertEquals((short) 0x7F80, FloatFormats.toBFloat16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7F80, FloatFormats.toBFloat16(Float.MAX_VALUE), "overflow rounds to inf");
        assertEquals((short) 0x3F80, FloatFormats.toBFloat16(Float.intBitsToFloat(0x3F808000)), "tie to even (down)");
        assertEquals((short) 0x3F82, FloatFormats.toBFloat16(Float.intBitsToFloat(0x3F818000)), "tie to even (up)");
        assertEquals((short) 0x7FC0, FloatFormats.toBFloat16(Float.intBitsToFloat(0xFFC00001)), "MLX's bfloat16 NaN");
        assertEquals((short) 0xFD00, FloatFormats.toFloat16(Float.intBitsToFloat(0xFFC00001)), "MLX's float16 NaN");
    }

    @Property(tries = 5000)
    void float16IsTheNearestWithTiesToEven(@ForAll float v) {
        assertNearestEven(v, FloatFormats.toFloat16(v), true);
    }

    @Property(tries = 5000)
    void float16IsTheNearestInItsRange(@ForAll float v) {
        float scaled = v % 70000f;
        assertNearestEven(scaled, FloatFormats.toFloat16(scaled), true);
    }

    @Property(tries = 5000)
    void bfloat16IsTheNearestWithTiesToEven(@ForAll float v) {
        assertNearestEven(v, FloatFormats.toBFloat16(v), false);
    }

    @Property(tries = 1000)
    void arrayConversionsRoundTrip(@ForAll float a, @ForAll float b) {
        Array x = Array.of(new float[] {a, b}, 2);
        for (DType half : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            Array h = x.astype(half);
            float[] widened = h.toFloatArray();
            float[] again = h.astype(DType.FLOAT32).astype(half).toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertEquals(Float.floatToIntBits(widened[i]), Float.floatToIntBits(again[i]));
                assertEquals(
                        Float.floatToIntBits(FloatFormats.roundTo(half, i == 0 ? a : b)),
                        Float.floatToIntBits(widened[i]));
            }
        }
    }

    private static void assertNearestEven(float v, short h, boolean f16) {
        if (Float.isNaN(v)) {
            return;
        }
        float r = f16 ? FloatFormats.fromFloat16(h) : FloatFormats.fromBFloat16(h);
        if (Float.isInfinite(r) && !Float.isInfinite(v)) {
            // Overflow: v must be at least halfway between the largest finite value and the next power step.
            double max = f16 ? 65504.0 : FloatFormats.fromBFloat16((short) 0x7F7F);
            double halfStep = f16 ? 16.0 : Math.ulp((float) max) * 65536.0 / 2;
            assertTrue(Math.abs(v) >= max + halfStep, v + " overflowed");
            return;
        }
        // Neighbours of r on the half grid: one code up and down in magnitude.
        int magnitude = h & 0x7FFF;
        int sign = h & 0x8000;
        double err = Math.abs((double) v - r);
        for (int d = -1; d <= 1; d += 2) {
            int m = magnitude + d;
            if (m < 0 || m > (f16 ? 0x7BFF : 0x7F7F)) {
                continue;
            }
            float neighbour =
                    f16 ? FloatFormats.fromFloat16((short) (sign | m)) : FloatFormats.fromBFloat16((short) (sign | m));
            double other = Math.abs((double) v - neighbour);
            assertTrue(err <= other, v + " -> " + r + " but " + neighbour + " is nearer");
            if (err == other && v != 0) {
                assertEquals(0, magnitude & 1, v + " is a tie and must round to the even code");
            }
        }
    }
}
