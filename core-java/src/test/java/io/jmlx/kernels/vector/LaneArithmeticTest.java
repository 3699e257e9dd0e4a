package io.jmlx.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jmlx.DType;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
import io.jmlx.testing.Segments;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;

/**
 * The building blocks against their scalar definitions: half-precision widening, rounding and storing
 * ({@link FloatFormats}) around every float16 value and across the float range, {@code rint} and the affine code
 * step around every half-integer, order keys, and the E2M1/E4M3 encoders and decoders. (Every one of the 2^32
 * floats was also checked once for the roundings and the code step; that takes a minute, so the test samples.)
 */
class LaneArithmeticTest {
    private static final int LANES = LaneShapes.LANES;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Float bits around every float16 value and half-way to the next (the ties), and every 4099th float; padded
     * to a whole number of vectors.
     */
    private static final int[] SAMPLES = samples();

    private static int[] samples() {
        int[] s = new int[0x10000 * 14 + (int) ((1L << 32) / 4099) + 2 * LANES];
        int n = 0;
        for (int h = 0; h < 0x10000; h++) {
            int center = Float.floatToRawIntBits(Float.float16ToFloat((short) h));
            for (int d = -3; d <= 3; d++) {
                s[n++] = center + d;
                s[n++] = center + (1 << 12) + d;
            }
        }
        for (long u = 0; u < (1L << 32); u += 4099) {
            s[n++] = (int) u;
        }
        return Arrays.copyOf(s, n - n % LANES);
    }

    private static float[] sampleFloats() {
        float[] f = new float[SAMPLES.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.intBitsToFloat(SAMPLES[i]);
        }
        return f;
    }

    /** Bits of a float, NaNs reduced to their sign (payloads may differ, as they do between JIT tiers). */
    private static int canonical(float f) {
        return Float.isNaN(f) ? (Float.floatToRawIntBits(f) < 0 ? 0xFFC00000 : 0x7FC00000) : Float.floatToRawIntBits(f);
    }

    private static void assertAgree(String what, int[] actual, IntUnaryOperator expected) {
        for (int i = 0; i < SAMPLES.length; i++) {
            int e = expected.applyAsInt(SAMPLES[i]);
            if (actual[i] != e) {
                fail(what + " of 0x" + Integer.toHexString(SAMPLES[i]) + ": expected 0x" + Integer.toHexString(e)
                        + " but was 0x" + Integer.toHexString(actual[i]));
            }
        }
    }

    /** Rounds the samples in rows of {@code rowLength} (an odd length, so that the scalar tails run too). */
    private static void roundAndStore(DType dtype) {
        int rowLength = 1001;
        float[] values = sampleFloats();
        float[] rounded = values.clone();
        MemorySegment stored = Segments.allocate(values.length, dtype);
        for (int from = 0; from < values.length; from += rowLength) {
            int n = Math.min(rowLength, values.length - from);
            HalfVectors.roundRow(rounded, from, n, dtype);
            float[] row = Arrays.copyOfRange(values, from, from + n);
            HalfVectors.storeRow(row, 0, n, dtype, stored, from);
        }
        int[] roundedBits = new int[values.length];
        int[] storedBits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            roundedBits[i] = canonical(rounded[i]);
            storedBits[i] = stored.get(I16, 2L * i) & 0xFFFF;
        }
        assertAgree(
                "roundRow " + dtype, roundedBits, b -> canonical(FloatFormats.roundTo(dtype, Float.intBitsToFloat(b))));
        assertAgree(
                "storeRow " + dtype,
                storedBits,
                b -> (dtype == DType.FLOAT16
                                ? FloatFormats.toFloat16(Float.intBitsToFloat(b))
                                : FloatFormats.toBFloat16(Float.intBitsToFloat(b)))
                        & 0xFFFF);
    }

    @Test
    void roundingAndStoringFloat16() {
        roundAndStore(DType.FLOAT16);
    }

    @Test
    void roundingAndStoringBFloat16() {
        roundAndStore(DType.BFLOAT16);
    }

    @Test
    void wideningEveryHalfValue() {
        MemorySegment halves = Segments.allocate(0x10000, DType.FLOAT16);
        for (int h = 0; h < 0x10000; h++) {
            halves.set(I16, 2L * h, (short) h);
        }
        float[] wide = new float[0x10000];
        HalfVectors.widenRow(halves, 0, DType.FLOAT16, wide, wide.length);
        for (int h = 0; h < 0x10000; h++) {
            assertEquals(
                    canonical(Float.float16ToFloat((short) h)),
                    canonical(wide[h]),
                    "float16 0x" + Integer.toHexString(h));
        }
        HalfVectors.widenRow(halves, 0, DType.BFLOAT16, wide, wide.length);
        for (int h = 0; h < 0x10000; h++) {
            assertEquals(h << 16, Float.floatToRawIntBits(wide[h]), "bfloat16 0x" + Integer.toHexString(h));
        }
    }

    /** Runs a lane-wise operation over the samples, a vector at a time. */
    private static int[] lanes(java.util.function.Function<FloatVector, IntVector> op) {
        float[] values = sampleFloats();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i += LANES) {
            op.apply(FloatVector.fromArray(LaneShapes.F, values, i)).intoArray(out, i);
        }
        return out;
    }

    @Test
    void rintAndCodesAroundEveryHalfInteger() {
        FloatVector zero = FloatVector.zero(LaneShapes.F);
        FloatVector one = FloatVector.broadcast(LaneShapes.F, 1f);
        // (The sign of a NaN through Math.rint differs between JIT tiers; the kernels never round a NaN.)
        int[] rintBits = lanes(v -> VectorAffineQuantizer.rint(v).reinterpretAsInts());
        for (int i = 0; i < rintBits.length; i++) {
            rintBits[i] = canonical(Float.intBitsToFloat(rintBits[i])) & 0x7FFFFFFF;
        }
        assertAgree("rint", rintBits, b -> canonical((float) Math.rint(Float.intBitsToFloat(b))) & 0x7FFFFFFF);
        for (int maxCode : new int[] {1, 3, 15, 255}) {
            assertAgree("codes n=" + maxCode, lanes(v -> VectorAffineQuantizer.codes(v, zero, one, maxCode)), b ->
                    (int) Math.min(Math.max((float) Math.rint(Float.intBitsToFloat(b)), 0f), maxCode));
        }
        // Every half-integer up to 2^12 and its neighbours, positive and negative.
        float[] values = new float[LANES];
        int[] codes = new int[LANES];
        int filled = 0;
        for (int k = -10; k < 4096; k++) {
            float tie = k + 0.5f;
            for (float v : new float[] {tie, Math.nextUp(tie), Math.nextDown(tie), k, -tie}) {
                values[filled++] = v;
                if (filled == LANES) {
                    VectorAffineQuantizer.codes(FloatVector.fromArray(LaneShapes.F, values, 0), zero, one, 255)
                            .intoArray(codes, 0);
                    for (int i = 0; i < LANES; i++) {
                        assertEquals(
                                (int) Math.min(Math.max((float) Math.rint(values[i]), 0f), 255f),
                                codes[i],
                                "code of " + values[i]);
                    }
                    filled = 0;
                }
            }
        }
    }

    @Test
    void keysOrderAsFloats() {
        float[] values = {
            Float.NEGATIVE_INFINITY,
            -3e38f,
            -1f,
            -Float.MIN_VALUE,
            -0f,
            0f,
            Float.MIN_VALUE,
            1e-40f,
            1f,
            3e38f,
            Float.POSITIVE_INFINITY
        };
        int[] keys = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            keys[i] = VectorAffineQuantizer.key(FloatVector.broadcast(LaneShapes.F, values[i]))
                    .lane(0);
            assertEquals(
                    Float.floatToRawIntBits(values[i]),
                    Float.floatToRawIntBits(VectorAffineQuantizer.fromKey(keys[i])));
        }
        int[] sorted = keys.clone();
        Arrays.sort(sorted);
        assertTrue(Arrays.equals(keys, sorted), "keys sort as the floats");
        assertTrue(VectorAffineQuantizer.key(FloatVector.broadcast(LaneShapes.F, Float.NaN))
                        .lane(0)
                > keys[keys.length - 1]);
        float negativeNaN = Float.intBitsToFloat(0xFFC00000);
        assertTrue(VectorAffineQuantizer.key(FloatVector.broadcast(LaneShapes.F, negativeNaN))
                        .lane(0)
                < keys[0]);
    }

    @Test
    void microscalingCodecs() {
        float[] values = sampleFloats();
        int[] codes = new int[values.length];
        VectorFpQuantizer.fp8Codes(values, codes);
        assertAgree("fp8Codes", codes, b -> FpCodecs.fp8Encode(Float.intBitsToFloat(b)));
        VectorFpQuantizer.fp4Codes(values, codes);
        assertAgree("fp4Codes float32", codes, b -> FpCodecs.fp4Encode(Float.intBitsToFloat(b), DType.FLOAT32));
        float[] distances = new float[values.length];
        float[] nearest = new float[values.length];
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            VectorFpQuantizer.fp4Codes(values, codes, t, distances, nearest);
            assertAgree("fp4Codes " + t, codes, b -> FpCodecs.fp4Encode(Float.intBitsToFloat(b), t));
        }
        int[] all = new int[256];
        float[] decoded = new float[LANES];
        for (int c = 0; c < 256; c++) {
            all[c] = c;
        }
        for (int c = 0; c < 256; c += LANES) {
            IntVector v = IntVector.fromArray(LaneShapes.I, all, c);
            VectorFpDequantizer.fp8Values(v).intoArray(decoded, 0);
            for (int i = 0; i < LANES; i++) {
                assertEquals(
                        Float.floatToRawIntBits(FpCodecs.fp8Decode(c + i)),
                        Float.floatToRawIntBits(decoded[i]),
                        "E4M3 0x" + Integer.toHexString(c + i));
            }
            if (c < 16) {
                VectorFpDequantizer.fp4Values(v).intoArray(decoded, 0);
                for (int i = 0; i < LANES && c + i < 16; i++) {
                    assertEquals(
                            Float.floatToRawIntBits(FpCodecs.fp4Value(c + i)),
                            Float.floatToRawIntBits(decoded[i]),
                            "E2M1 " + (c + i));
                }
            }
        }
    }
}
