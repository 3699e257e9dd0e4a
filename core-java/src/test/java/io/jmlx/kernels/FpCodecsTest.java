package io.jmlx.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.DType;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import org.junit.jupiter.api.Test;

/**
 * The microscaling codecs: every E2M1 and E4M3 code decodes and re-encodes to itself, encoding is monotonic and
 * nearest, and the values MLX printed (spec Appendix A, T7 and T8) come out.
 */
class FpCodecsTest {

    @Test
    void everyE2m1CodeRoundTrips() {
        for (int code = 0; code < 16; code++) {
            float v = FpCodecs.fp4Value(code);
            int expected = code == 8 ? 0 : code; // -0 encodes as +0 (the first table entry), as on MLX's CPU
            assertEquals(expected, FpCodecs.fp4Encode(v, DType.FLOAT32), "code " + code);
        }
    }

    @Test
    void everyE4m3CodeRoundTripsExceptMlxsNanPatterns() {
        for (int code = 0; code < 256; code++) {
            float v = FpCodecs.fp8Decode(code);
            int expected =
                    (code & 0x7F) == 0x7F ? (code & 0x80) | 0x7E : code; // 0x7F decodes to 480, re-encodes to 448
            assertEquals(expected, FpCodecs.fp8Encode(v), "code 0x" + Integer.toHexString(code) + " = " + v);
        }
        assertEquals(480f, FpCodecs.fp8Decode(0x7F));
        assertEquals(-480f, FpCodecs.fp8Decode(0xFF));
        assertEquals(0x1p-9f, FpCodecs.fp8Decode(0x01), "smallest subnormal");
    }

    @Test
    void mlxsFp8ConversionValues() {
        // spec Appendix A, T8: to_fp8 of these inputs, as printed by MLX.
        float[] in = {
            0f,
            -0f,
            448f,
            460f,
            464f,
            470f,
            479f,
            480f,
            1000f,
            Float.POSITIVE_INFINITY,
            Float.NaN,
            0x1p-9f,
            0x1p-10f,
            1.5f * 0x1p-10f,
            1.0625f,
            1.1875f
        };
        int[] out = {0x00, 0x80, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x01, 0x00, 0x01, 0x38, 0x3a};
        for (int i = 0; i < in.length; i++) {
            assertEquals(out[i], FpCodecs.fp8Encode(in[i]), "to_fp8(" + in[i] + ")");
        }
        // MLX's tests/ops_tests.cpp "test fp8 conversion": noisy values round to these.
        float[] noisy = {-1.135f, -1.01f, 0.0001f, 1.01f, 1.135f, 4.6f, 447f, -600f, 600f};
        float[] rounded = {-1.125f, -1f, 0f, 1f, 1.125f, 4.5f, 448f, -448f, 448f};
        for (int i = 0; i < noisy.length; i++) {
            assertEquals(rounded[i], FpCodecs.fp8Decode(FpCodecs.fp8Encode(noisy[i])), "fp8(" + noisy[i] + ")");
        }
    }

    @Test
    void fp4TiesGoToTheLowerTableEntry() {
        float[] in = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f, -0.25f, -0f, 7f, -9f};
        float[] out = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 0f, 0f, 6f, -6f};
        for (int i = 0; i < in.length; i++) {
            int code = FpCodecs.fp4Encode(in[i], DType.FLOAT32);
            assertEquals(out[i], FpCodecs.fp4Value(code), "fp4(" + in[i] + ")");
        }
        assertEquals(0, FpCodecs.fp4Encode(-0.25f, DType.FLOAT32), "-0.25 gives code 0 (+0), spec §5.2");
    }

    @Test
    void e8m0Values() {
        assertEquals(1f, FpCodecs.e8m0Value(127));
        assertEquals(2f, FpCodecs.e8m0Value(128));
        assertEquals(0x1p-127f, FpCodecs.e8m0Value(0), "e = 0 is 2^-127, not zero");
        assertEquals(Float.POSITIVE_INFINITY, FpCodecs.e8m0Value(255));
    }

    @Test
    void log2IsExactForPowersOfTwo() {
        for (int e = -149; e <= 127; e++) {
            assertEquals(e, FpCodecs.log2(Math.scalb(1f, e)), "log2(2^" + e + ")");
        }
    }

    @Property(tries = 3000)
    void fp8EncodingIsMonotonicAndNearest(
            @ForAll @FloatRange(min = -500, max = 500) float a, @ForAll @FloatRange(min = -500, max = 500) float b) {
        float lo = Math.min(a, b);
        float hi = Math.max(a, b);
        assertTrue(
                FpCodecs.fp8Decode(FpCodecs.fp8Encode(lo)) <= FpCodecs.fp8Decode(FpCodecs.fp8Encode(hi)),
                lo + " encodes above " + hi);
        float decoded = FpCodecs.fp8Decode(FpCodecs.fp8Encode(a));
        if (Math.abs(a) <= 448f) {
            for (int code = 0; code < 256; code++) {
                float other = FpCodecs.fp8Decode(code);
                if (Math.abs(other) <= 448f) {
                    assertTrue(
                            Math.abs(a - decoded) <= Math.abs(a - other),
                            a + " -> " + decoded + " but " + other + " is nearer");
                }
            }
        } else {
            assertEquals(Math.copySign(448f, a), decoded, "saturates");
        }
    }

    @Property(tries = 3000)
    void fp4EncodingIsMonotonicAndNearest(
            @ForAll @FloatRange(min = -8, max = 8) float a, @ForAll @FloatRange(min = -8, max = 8) float b) {
        float lo = Math.min(a, b);
        float hi = Math.max(a, b);
        assertTrue(
                FpCodecs.fp4Value(FpCodecs.fp4Encode(lo, DType.FLOAT32))
                        <= FpCodecs.fp4Value(FpCodecs.fp4Encode(hi, DType.FLOAT32)),
                lo + " encodes above " + hi);
        float decoded = FpCodecs.fp4Value(FpCodecs.fp4Encode(a, DType.FLOAT32));
        for (int code = 0; code < 16; code++) {
            assertTrue(Math.abs(a - decoded) <= Math.abs(a - FpCodecs.fp4Value(code)), a + " -> " + decoded);
        }
    }
}
