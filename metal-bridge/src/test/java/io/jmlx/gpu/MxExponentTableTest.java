package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jmlx.DType;
import io.jmlx.kernels.FloatFormats;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The mx exponent table gives the CPU's exponent for every scale: all positive float16 and bfloat16 values, and
 * random float32 values of every binade (subnormals included). The lookup is the one fp_quantize.comp does.
 */
class MxExponentTableTest {

    private static int lookup(int[] table, int bits) {
        int floorLog2 = (bits >>> 23) != 0 ? (bits >>> 23) - 127 : 31 - Integer.numberOfLeadingZeros(bits) - 149;
        return floorLog2 + (Integer.compareUnsigned(bits, table[floorLog2 + 149]) >= 0 ? 1 : 0);
    }

    @Test
    void everyHalfTypeScale() {
        for (DType t : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            int[] table = MxExponentTable.build(t);
            for (int h = 1; h < 0x7C00 || (t == DType.BFLOAT16 && h < 0x7F80); h++) {
                float scale =
                        t == DType.FLOAT16 ? FloatFormats.fromFloat16((short) h) : FloatFormats.fromBFloat16((short) h);
                int bits = Float.floatToRawIntBits(scale);
                assertEquals(MxExponentTable.cpuExponent(bits, t), lookup(table, bits), t + " scale " + scale);
            }
        }
    }

    @Test
    void randomFloat32Scales() {
        int[] table = MxExponentTable.build(DType.FLOAT32);
        Random random = new Random(17);
        for (int i = 0; i < 2_000_000; i++) {
            int bits = random.nextInt(0x7F800000 - 1) + 1;
            if (i % 4 == 0) {
                bits &= 0x007FFFFF; // subnormal
                bits |= 1;
            }
            assertEquals(
                    MxExponentTable.cpuExponent(bits, DType.FLOAT32),
                    lookup(table, bits),
                    "scale " + Float.intBitsToFloat(bits));
        }
    }
}
