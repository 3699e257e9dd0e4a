package io.jmlx.kernels.vector;

import io.jmlx.DType;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.function.IntConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The lane-wise building blocks against their scalar definitions: half-precision conversions and rounding
 * ({@link FloatFormats}) around every float16 value and across the float range, {@code rint} and the affine code
 * step around every half-integer, order keys, and the E2M1/E4M3 encoders and decoders. (Every one of the 2^32
 * floats was also checked once for the roundings and the code step; that takes a minute, so the test samples.)
 */
class LaneArithmeticTest {
    private static final int LANES = LaneShapes.LANES;

    /** Calls {@code check} with the bits of floats around every float16 value, and every 4099th float. */
    private static void sampleFloats(IntConsumer check) {
        for (int h = 0; h < 0x10000; h++) {
            int center = Float.floatToRawIntBits(Float.float16ToFloat((short) h));
            for (int d = -3; d <= 3; d++) {
                check.accept(center + d);
                // Half-way to the next float16 value: the ties.
                check.accept(center + (1 << 12) + d);
            }
        }
        for (long u = 0; u < (1L << 32); u += 4099) {
            check.accept((int) u);
        }
    }

    /** Lane-wise results for one vector of float bits. */
    private interface Lanes {
        IntVector apply(FloatVector v);
    }

    /** Checks {@code lanes} against {@code scalar} on {@link #sampleFloats}, a vector at a time. */
    private static void agree(String what, Lanes lanes, java.util.function.IntUnaryOperator scalar) {
        int[] in = new int[LANES];
        int[] out = new int[LANES];
        int[] filled = {0};
        IntConsumer run = bits -> {
            in[filled[0]++] = bits;
            if (filled[0] == LANES) {
                lanes.apply(IntVector.fromArray(LaneShapes.I, in, 0).reinterpretAsFloats()).intoArray(out, 0);
                for (int i = 0; i < LANES; i++) {
                    int expected = scalar.applyAsInt(in[i]);
                    if (out[i] != expected) {
                        fail(what + " of 0x" + Integer.toHexString(in[i]) + ": expected 0x" + Integer.toHexString(expected)
                                + " but was 0x" + Integer.toHexString(out[i]));
                    }
                }
                filled[0] = 0;
            }
        };
        sampleFloats(run);
    }

    /** Bits of a float, NaNs reduced to their sign (payloads may differ, as they do between JIT tiers). */
    private static int canonical(float f) {
        return Float.isNaN(f) ? (Float.floatToRawIntBits(f) < 0 ? 0xFFC00000 : 0x7FC00000) : Float.floatToRawIntBits(f);
    }

    private static IntVector canonical(FloatVector v) {
        int[] bits = new int[LANES];
        float[] values = new float[LANES];
        v.intoArray(values, 0);
        for (int i = 0; i < LANES; i++) {
            bits[i] = canonical(values[i]);
        }
        return IntVector.fromArray(LaneShapes.I, bits, 0);
    }

    @Test
    void roundingToFloat16() {
        agree("roundToFloat16", v -> canonical(HalfVectors.roundToFloat16(v)),
                b -> canonical(FloatFormats.roundTo(DType.FLOAT16, Float.intBitsToFloat(b))));
        agree("float16Bits", HalfVectors::float16Bits, b -> FloatFormats.toFloat16(Float.intBitsToFloat(b)) & 0xFFFF);
    }

    @Test
    void roundingToBFloat16() {
        agree("roundToBFloat16", v -> HalfVectors.roundToBFloat16(v).reinterpretAsInts(),
                b -> Float.floatToRawIntBits(FloatFormats.roundTo(DType.BFLOAT16, Float.intBitsToFloat(b))));
        agree("bfloat16Bits", HalfVectors::bfloat16Bits, b -> FloatFormats.toBFloat16(Float.intBitsToFloat(b)) & 0xFFFF);
    }

    @Test
    void wideningEveryHalfValue() {
        int[] in = new int[LANES];
        int[] out = new int[LANES];
        for (int h = 0; h < 0x10000; h += LANES) {
            for (int i = 0; i < LANES; i++) {
                in[i] = h + i;
            }
            IntVector bits = IntVector.fromArray(LaneShapes.I, in, 0);
            canonical(HalfVectors.fromFloat16(bits)).intoArray(out, 0);
            for (int i = 0; i < LANES; i++) {
                assertEquals(canonical(Float.float16ToFloat((short) in[i])), out[i], "float16 0x" + Integer.toHexString(in[i]));
            }
            HalfVectors.fromBFloat16(bits).reinterpretAsInts().intoArray(out, 0);
            for (int i = 0; i < LANES; i++) {
                assertEquals(in[i] << 16, out[i], "bfloat16 0x" + Integer.toHexString(in[i]));
            }
        }
    }

    @Test
    void rintAndCodesAroundEveryHalfInteger() {
        FloatVector zero = FloatVector.zero(LaneShapes.F);
        FloatVector one = FloatVector.broadcast(LaneShapes.F, 1f);
        // (The sign of a NaN through Math.rint differs between JIT tiers; the kernels never round a NaN.)
        agree("rint", v -> canonical(VectorAffineQuantizer.rint(v)).and(0x7FFFFFFF),
                b -> canonical((float) Math.rint(Float.intBitsToFloat(b))) & 0x7FFFFFFF);
        for (int maxCode : new int[] {1, 3, 15, 255}) {
            agree("codes n=" + maxCode, v -> VectorAffineQuantizer.codes(v, zero, one, maxCode),
                    b -> (int) Math.min(Math.max((float) Math.rint(Float.intBitsToFloat(b)), 0f), maxCode));
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
                        assertEquals((int) Math.min(Math.max((float) Math.rint(values[i]), 0f), 255f), codes[i],
                                "code of " + values[i]);
                    }
                    filled = 0;
                }
            }
        }
    }

    @Test
    void keysOrderAsFloats() {
        float[] values = {Float.NEGATIVE_INFINITY, -3e38f, -1f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1e-40f, 1f,
            3e38f, Float.POSITIVE_INFINITY};
        int[] keys = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            keys[i] = VectorAffineQuantizer.key(FloatVector.broadcast(LaneShapes.F, values[i])).lane(0);
            assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(VectorAffineQuantizer.fromKey(keys[i])));
        }
        int[] sorted = keys.clone();
        Arrays.sort(sorted);
        assertTrue(Arrays.equals(keys, sorted), "keys sort as the floats");
        assertTrue(VectorAffineQuantizer.key(FloatVector.broadcast(LaneShapes.F, Float.NaN)).lane(0) > keys[keys.length - 1]);
        float negativeNaN = Float.intBitsToFloat(0xFFC00000);
        assertTrue(VectorAffineQuantizer.key(FloatVector.broadcast(LaneShapes.F, negativeNaN)).lane(0) < keys[0]);
    }

    @Test
    void microscalingCodecs() {
        agree("fp8Codes", VectorFpQuantizer::fp8Codes, b -> FpCodecs.fp8Encode(Float.intBitsToFloat(b)));
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            agree("fp4Codes " + t, v -> VectorFpQuantizer.fp4Codes(v, t), b -> FpCodecs.fp4Encode(Float.intBitsToFloat(b), t));
        }
        int[] codes = new int[LANES];
        float[] values = new float[LANES];
        for (int c = 0; c < 256; c += LANES) {
            for (int i = 0; i < LANES; i++) {
                codes[i] = c + i;
            }
            IntVector v = IntVector.fromArray(LaneShapes.I, codes, 0);
            VectorFpDequantizer.fp8Values(v).intoArray(values, 0);
            for (int i = 0; i < LANES; i++) {
                assertEquals(Float.floatToRawIntBits(FpCodecs.fp8Decode(codes[i])), Float.floatToRawIntBits(values[i]),
                        "E4M3 0x" + Integer.toHexString(codes[i]));
            }
            if (c < 16) {
                VectorFpDequantizer.fp4Values(v).intoArray(values, 0);
                for (int i = 0; i < LANES && c + i < 16; i++) {
                    assertEquals(Float.floatToRawIntBits(FpCodecs.fp4Value(codes[i])), Float.floatToRawIntBits(values[i]),
                            "E2M1 " + codes[i]);
                }
            }
        }
    }
}
