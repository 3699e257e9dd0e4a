package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The worked examples of {@code shared/spec/mlx-quantization.md} Appendix A, whose values were printed by MLX
 * (CPU backend, v0.32.2): packed words, scales and biases for hand-made inputs.
 */
class SpecExamplesTest {

    /** T1: rows {@code i}, {@code -i}, {@code -1 + i·4/31}, {@code -3 + i·4/31} for i = 0..31, float32, g = 32. */
    private static Array t1() {
        float[] w = new float[4 * 32];
        for (int i = 0; i < 32; i++) {
            float fi = i;
            w[i] = fi;
            w[32 + i] = -fi;
            w[64 + i] = -1.0f + fi * (4.0f / 31.0f);
            w[96 + i] = -3.0f + fi * (4.0f / 31.0f);
        }
        return Array.of(w, 4, 32);
    }

    @ParameterizedTest(name = "T1 bits={0}")
    @CsvSource(
            delimiter = ';',
            value = {
                "2; aaaaafff 00055555 aaaaafff 00055555 5aaaaaaf 00055555 55555000 faaaaaa5; -10.333333 10.333333 -1.5 1.5",
                "3; 6dbb6dff 26db924b 00124a49 6dbb6dff 26db924b 00124a49 6db76db7 26db7249 00124a49 92449200 c9236db4 fb6dadb6; -4.42857122 4.42857122 -0.600000024 0.600000024",
                "4; ccddeeff 8899aabb 44556677 00112233 ccddeeff 8899aabb 44556677 00112233 bccddeef 88999aab 44556677 00112233 33221100 77665544 baa99988 feeddccb; -2.0666666 2.0666666 -0.272727281 0.272727281",
                "5; 75be77df 3a56d7c6 35cf8465 c74254b6 00443214 75be77df 3a56d7c6 35cf8465 c74254b6 00443214 75be77df 3a56d7c6 35cf8465 c74254b6 00443214 8a418820 c5a92839 ca307b9a 38bdab49 ffbbcdeb; -1 1 -0.130434781 0.130434781",
                "6; 77e7bf7f bb6fc73d 863967a6 1661a71e a30e4125 00210620 77e7bf7f bb6fc73d 863967a6 1661a71e a30e4125 00210620 77e7bf7f ab2ec73d 822926a2 1661a71e a30e4125 00210620 88184080 449038c2 79c69859 a89a48a0 5cf1baca ffdef9df; -0.492063493 0.492063493 -0.0638297871 0.0638297871",
                "8; e6eff7ff c5ced6de a5adb5bd 848c949c 636b737b 424a525a 2129313a 00081019 e6eff7ff c5ced6de a5adb5bd 848c949c 636b737b 424a525a 2129313a 00081019 e6eef6ff c5cdd6de a4adb5bd 838c949c 636b737b 424a525a 2129313a 00081019 19100800 3a312921 5a524a42 7b736b63 9c948c83 bdb5ada4 ded6cdc5 fff6eee6; -0.121568628 0.121568628 -0.0157068055 0.0157068055"
            })
    void t1MatchesMlx(int bits, String words, String scales) {
        QuantizedParts q = Jmlx.quantize(t1(), 32, bits);
        assertArrayEquals(hexWords(words), q.packed().toIntArray(), "packed words");
        assertArrayEquals(floats(scales), q.scales().toFloatArray(), "scales");
        assertArrayEquals(new float[] {31, -31, 3, -3}, q.biases().toFloatArray(), "biases");
    }

    @Test
    void t1FiveBitDequantizesRowZeroExactlyAndThreeBitMissesZeroByOneUlp() {
        QuantizedParts q5 = Jmlx.quantize(t1(), 32, 5);
        float[] d5 =
                Jmlx.dequantize(q5.packed(), q5.scales(), q5.biases(), 32, 5).toFloatArray();
        for (int i = 0; i < 32; i++) {
            assertEquals(i, d5[i], 0f, "5-bit row 0 decodes exactly");
        }
        QuantizedParts q3 = Jmlx.quantize(t1(), 32, 3);
        float[] d3 =
                Jmlx.dequantize(q3.packed(), q3.scales(), q3.biases(), 32, 3).toFloatArray();
        assertEquals(1.90734863e-06f, d3[0], "3-bit decode of the input 0 (spec §1.4)");
    }

    @Test
    void t3TiesRoundHalfToEven() {
        float[] w = new float[32];
        float[] head = {0, 15, 7.5f, 6.5f, 0.5f, 1.5f, 14.5f, 13.5f};
        System.arraycopy(head, 0, w, 0, head.length);
        QuantizedParts q = Jmlx.quantize(Array.of(w, 1, 32), 32, 4);
        assertArrayEquals(
                hexWords("20ee880f ffffffff ffffffff ffffffff"), q.packed().toIntArray());
        assertArrayEquals(new float[] {-1}, q.scales().toFloatArray());
        assertArrayEquals(new float[] {15}, q.biases().toFloatArray());
        float[] d = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 32, 4).toFloatArray();
        assertArrayEquals(new float[] {0, 15, 7, 7, 1, 1, 15, 13}, java.util.Arrays.copyOf(d, 8));
    }

    @Test
    void t4DegenerateGroups() {
        float[] w = new float[4 * 32];
        for (int i = 0; i < 32; i++) {
            w[i] = 0.3f;
            w[32 + i] = 0f;
            w[64 + i] = 1e-8f * i;
            w[96 + i] = -2.0f - 0.01f * i;
        }
        QuantizedParts q = Jmlx.quantize(Array.of(w, 4, 32), 32, 4);
        assertArrayEquals(
                hexWords("00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
                        + "22333333 22222222 11111111 00000011 ccddeeff 8899aabb 44556677 00112233"),
                q.packed().toIntArray());
        assertArrayEquals(
                floats("-1.00000001e-07 -1.00000001e-07 -1.03333328e-07 0.020624999"),
                q.scales().toFloatArray());
        assertArrayEquals(
                floats("0.300000012 0 3.0999999e-07 -2.30999994"), q.biases().toFloatArray());
        float[] d = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 32, 4).toFloatArray();
        assertEquals(0.3f, d[5], 0f, "constant group decodes exactly");
        assertEquals(0f, d[40], 0f, "zero group decodes exactly");
        assertEquals(-2.0006249f, d[96], "all-negative group uses the true max");
    }

    /**
     * Derived by hand from §1.4 (not an MLX printout): 2 bits, group min -1.5 and max 1.5. The scale -1 snaps to
     * 1.5 / rint(-1.5) = -0.75, so -1.5 would need code 4 and is clamped to 3, decoding to -0.75: an error of one
     * whole step. (Golden row 15, alternating ±1, behaves the same way.)
     */
    @Test
    void zeroSnappingCanClampTheFarEndByAWholeStep() {
        float[] w = new float[32];
        w[0] = -1.5f;
        w[1] = 1.5f;
        QuantizedParts q = Jmlx.quantize(Array.of(w, 1, 32), 32, 2);
        assertArrayEquals(new float[] {-0.75f}, q.scales().toFloatArray());
        assertArrayEquals(new float[] {1.5f}, q.biases().toFloatArray());
        float[] d = Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 32, 2).toFloatArray();
        assertEquals(-0.75f, d[0], 0f);
        assertEquals(1.5f, d[1], 0f);
        assertEquals(0f, d[2], 0f);
    }

    /** T7: mxfp4 ties go to the lower table entry; the scale byte of amax 7 is 0x7f (2^0). */
    @Test
    void t7Mxfp4() {
        float[] w = new float[32];
        float[] head = {6, .75f, 1.75f, 3.5f, .25f, -.25f, -0.0f, 5, 2.5f, 1.25f, -.75f, 7};
        System.arraycopy(head, 0, w, 0, head.length);
        QuantizedParts q = Jmlx.quantize(Array.of(w, 1, 32), "mxfp4");
        assertArrayEquals(
                hexWords("60005317 00007924 00000000 00000000"), q.packed().toIntArray());
        assertArrayEquals(new byte[] {0x7f}, q.scales().toBytes());
        Array d = Jmlx.dequantize(q.packed(), q.scales(), "mxfp4");
        assertEquals(DType.BFLOAT16, d.dtype(), "T7f: the fp modes dequantize to bfloat16 by default");
        assertArrayEquals(
                new float[] {6, .5f, 1.5f, 3, 0, 0, 0, 4, 2, 1, -.5f, 6, 0},
                java.util.Arrays.copyOf(d.toFloatArray(), 13));
        QuantizedParts zeros = Jmlx.quantize(Array.zeros(DType.FLOAT32, 1, 32), "mxfp4");
        assertArrayEquals(new byte[] {0x7f}, zeros.scales().toBytes(), "an all-zero group gets scale byte 127");
    }

    @Test
    void t7bMxfp4ScaleRoundsLog2AndSaturates() {
        float[] w = new float[32];
        System.arraycopy(new float[] {9, 8.9f, -9, 3.1f}, 0, w, 0, 4);
        QuantizedParts q = Jmlx.quantize(Array.of(w, 1, 32), "mxfp4");
        assertArrayEquals(new byte[] {(byte) 0x80}, q.scales().toBytes());
        assertEquals(0x00003e66, q.packed().toIntArray()[0]);
        assertArrayEquals(
                new float[] {8, 8, -8, 3},
                java.util.Arrays.copyOf(
                        Jmlx.dequantize(q.packed(), q.scales(), "mxfp4").toFloatArray(), 4));
    }

    /** T7c and T7d: mxfp8 and nvfp4 of {@code (i - 16)·0.37}. */
    @Test
    void t7cdMxfp8AndNvfp4() {
        float[] w = new float[32];
        for (int i = 0; i < 32; i++) {
            w[i] = (i - 16) * 0.37f;
        }
        QuantizedParts mx8 = Jmlx.quantize(Array.of(w, 1, 32), "mxfp8");
        assertArrayEquals(new byte[] {0x79}, mx8.scales().toBytes());
        assertArrayEquals(
                hexWords("fafafbfc f5f7f8f9 eff1f2f4 dce4e9ec 69645c00 72716f6c 78777574 7b7a7a79"),
                mx8.packed().toIntArray());
        QuantizedParts nv = Jmlx.quantize(Array.of(w, 1, 32), "nvfp4");
        assertArrayEquals(new byte[] {0x38, 0x37}, nv.scales().toBytes());
        assertArrayEquals(
                hexWords("deeeefff 99abccdd 54432210 77766665"), nv.packed().toIntArray());
    }

    /** T7e: nvfp4 on zeros: scale bytes 0, codes 0, decoded 0 (and no restriction to 32-element totals). */
    @Test
    void t7eNvfp4Zeros() {
        for (int rows : new int[] {1, 2, 3}) {
            QuantizedParts q = Jmlx.quantize(Array.zeros(DType.FLOAT32, rows, 16), "nvfp4");
            assertArrayEquals(new byte[rows], q.scales().toBytes());
            assertArrayEquals(new int[rows * 2], q.packed().toIntArray());
            assertArrayEquals(
                    new float[rows * 16],
                    Jmlx.dequantize(q.packed(), q.scales(), "nvfp4").toFloatArray());
        }
    }

    private static int[] hexWords(String s) {
        String[] parts = s.trim().split("\\s+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseUnsignedInt(parts[i], 16);
        }
        return out;
    }

    private static float[] floats(String s) {
        String[] parts = s.trim().split("\\s+");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i]);
        }
        return out;
    }
}
