package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code jmlx quantize} then {@code jmlx dequantize} on real files: every quantized weight comes back within half a
 * quantization step (plus rounding) of the original, and every other tensor byte for byte.
 */
class QuantizeRoundTripTest {
    @TempDir
    Path dir;

    /** A checkpoint with every case: half types, a 3-D weight, weights that do not qualify, non-weights. */
    private Path mixedInput() throws IOException {
        Random r = new Random(7);
        Map<String, Array> t = new TreeMap<>();
        t.put("attn.q.weight", gaussian(r, DType.FLOAT16, 0.02, 16, 256));
        t.put("experts.weight", gaussian(r, DType.FLOAT32, 1.0, 3, 8, 128));
        t.put("mlp.up.weight", gaussian(r, DType.BFLOAT16, 0.1, 32, 384));
        t.put("mlp.up.bias", gaussian(r, DType.BFLOAT16, 0.1, 32));
        t.put("odd.weight", gaussian(r, DType.FLOAT32, 1.0, 4, 100));
        t.put("norm.weight", gaussian(r, DType.FLOAT32, 1.0, 256));
        t.put("wide.weight", gaussian(r, DType.FLOAT64, 1.0, 2, 64));
        t.put("ids.weight", Array.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, DType.INT32, 2, 4));
        t.put("step", Array.of(new long[] {12345}, 1));
        Path p = dir.resolve("mixed.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("origin", "test");
        Cli.write(p, t, meta);
        return p;
    }

    static Array gaussian(Random r, DType dtype, double std, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return dtype == DType.FLOAT64 ? Array.of(v, shape).astype(DType.FLOAT64) : Array.of(v, dtype, shape);
    }

    @Test
    void theExampleCheckpointRoundTrips() throws IOException {
        Path in = dir.resolve("ex.safetensors");
        assertEquals(0, Cli.run("example", "--output", in).exitCode());
        roundTrip(in, 64, 4, List.of("layers.0.weight", "layers.1.weight"));
    }

    @Test
    void theTinyStoriesModelRoundTrips() throws IOException {
        Path in = SharedData.tinyStoriesModel();
        List<String> expected = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(in)) {
            for (String name : f.names()) {
                if (f.info(name).shape().length == 2 && f.info(name).shape()[1] % 64 == 0) {
                    expected.add(name);
                }
            }
        }
        assertEquals(31, expected.size());
        roundTrip(in, 64, 4, expected);
    }

    @ParameterizedTest(name = "bits {0}, group size {1}")
    @CsvSource({"4, 64", "2, 32", "3, 128", "5, 64", "6, 32", "8, 128"})
    void aMixedCheckpointRoundTrips(int bits, int groupSize) throws IOException {
        List<String> quantized = new ArrayList<>(List.of("attn.q.weight", "experts.weight", "mlp.up.weight"));
        roundTrip(mixedInput(), groupSize, bits, quantized);
    }

    /**
     * Quantizes {@code in} with the CLI, dequantizes the result with the CLI, and checks both outputs against the
     * input: exactly {@code quantizedNames} became trios, bit-identical to the core's quantize; the dense weights
     * are within the quantization error; everything else is byte-identical.
     */
    private void roundTrip(Path in, int groupSize, int bits, List<String> quantizedNames) throws IOException {
        Path q = dir.resolve("q.safetensors");
        Path d = dir.resolve("d.safetensors");
        Cli.Result qr =
                Cli.run("quantize", "--input", in, "--output", q, "--bits", bits, "--group-size", groupSize, "--force");
        assertEquals(0, qr.exitCode(), qr::toString);
        assertTrue(qr.out().contains("total: "), qr.out());
        Cli.Result dr = Cli.run("dequantize", "--input", q, "--output", d, "--force");
        assertEquals(0, dr.exitCode(), dr::toString);
        assertTrue(dr.out().contains("from the input's jmlx.quantization metadata"), dr.out());

        try (SafetensorsFile fi = SafetensorsFile.open(in);
                SafetensorsFile fq = SafetensorsFile.open(q);
                SafetensorsFile fd = SafetensorsFile.open(d)) {
            List<String> expectedQ = new ArrayList<>();
            for (String name : fi.names()) {
                if (quantizedNames.contains(name)) {
                    String p = name.substring(0, name.length() - ".weight".length());
                    expectedQ.add(name);
                    expectedQ.add(p + ".scales");
                    expectedQ.add(p + ".biases");
                } else {
                    expectedQ.add(name);
                    Cli.assertSameTensor(fi, fq, name);
                    Cli.assertSameTensor(fi, fd, name);
                }
            }
            assertEquals(expectedQ.stream().sorted().toList(), fq.names(), "sorted keys, trios for the weights");
            assertEquals(fi.names().stream().sorted().toList(), fd.names());

            Map<String, String> meta = new LinkedHashMap<>(fi.metadata());
            meta.put("format", "mlx");
            meta.put(
                    "jmlx.quantization",
                    "{\"group_size\":" + groupSize + ",\"bits\":" + bits + ",\"mode\":\"affine\"}");
            assertEquals(meta, fq.metadata());
            meta.remove("jmlx.quantization");
            assertEquals(meta, fd.metadata());

            for (String name : quantizedNames) {
                String p = name.substring(0, name.length() - ".weight".length());
                Array original = fi.get(name);
                Array packed = fq.get(name);
                Array scales = fq.get(p + ".scales");
                Array biases = fq.get(p + ".biases");
                Array dense = fd.get(name);
                assertEquals(DType.UINT32, packed.dtype());
                assertEquals(original.dtype(), scales.dtype());
                assertEquals(original.dtype(), dense.dtype());
                assertArrayEquals(original.shape(), dense.shape());

                QuantizedParts core = Jmlx.quantize(original, groupSize, bits);
                assertArrayEquals(core.packed().toBytes(), packed.toBytes(), name);
                assertArrayEquals(core.scales().toBytes(), scales.toBytes(), name);
                assertArrayEquals(core.biases().toBytes(), biases.toBytes(), name);
                assertArrayEquals(
                        Jmlx.dequantize(packed, scales, biases, groupSize, bits).toBytes(), dense.toBytes());

                assertWithinQuantizationError(
                        name,
                        original.toFloatArray(),
                        packed.toIntArray(),
                        scales.toFloatArray(),
                        biases.toFloatArray(),
                        dense.toFloatArray(),
                        groupSize,
                        bits,
                        original.dtype());
            }
        }
    }

    /**
     * Each dequantized element lies within half a step ({@code |scale|/2}) of the original, plus a few units in the
     * last place of the type for the rounding of the stored scale and bias and of the two arithmetic steps.
     * The exception is MLX's algorithm at work: the scale is snapped to {@code edge/q0} so
     * that 0 is on the grid, which can shrink it enough that the far end of the group needs one more code than
     * there are; those elements are clamped to the top code and may be up to a whole step away.
     */
    static void assertWithinQuantizationError(
            String name,
            float[] original,
            int[] words,
            float[] scales,
            float[] biases,
            float[] dense,
            int groupSize,
            int bits,
            DType type) {
        int top = (1 << bits) - 1;
        // Groups never cross rows and every row ends on a word boundary, so element i of the flattened weight
        // is in group i / groupSize and its code at bit i * bits of the packed words.
        assertEquals(original.length, (long) scales.length * groupSize, name);
        assertEquals((long) original.length * bits, (long) words.length * 32, name);
        for (int i = 0; i < original.length; i++) {
            int code = code(words, (long) i * bits, bits);
            int g = i / groupSize;
            double s = Math.abs(scales[g]);
            double err = Math.abs((double) dense[i] - original[i]);
            // Rounding, each term about twice its worst case: the stored scale and bias (rounded to the type after
            // the codes were chosen with the float32 values), then scale * code and + bias, each rounded.
            double tolerance = code * ulp(type, s)
                    + ulp(type, Math.abs(biases[g]))
                    + ulp(type, s * code)
                    + ulp(type, Math.abs(dense[i]))
                    + ulp(DType.FLOAT32, Math.abs(original[i]));
            double allowed = (code == top ? s : s / 2) + tolerance;
            if (err > allowed) {
                throw new AssertionError(name + " element " + i + ": original " + original[i] + ", dequantized "
                        + dense[i] + ", code " + code + ", scale " + scales[g] + ", bias " + biases[g] + ": error "
                        + err + " > " + allowed);
            }
        }
    }

    /** Code {@code b} bits wide at bit {@code pos} of the little-endian bit stream of {@code words}. */
    static int code(int[] words, long pos, int bits) {
        int w = (int) (pos >>> 5);
        int shift = (int) (pos & 31);
        long two = (words[w] & 0xFFFFFFFFL) | (w + 1 < words.length ? (words[w + 1] & 0xFFFFFFFFL) << 32 : 0);
        return (int) ((two >>> shift) & ((1L << bits) - 1));
    }

    /** One unit in the last place of {@code x} in {@code type}. */
    static double ulp(DType type, double x) {
        double f32 = Math.ulp((float) Math.max(x, Float.MIN_NORMAL));
        return switch (type) {
            case FLOAT16 -> Math.max(f32 * (1 << 13), Math.scalb(1.0, -24));
            case BFLOAT16 -> f32 * (1 << 16);
            default -> f32;
        };
    }

    @Test
    void theCodeReaderFollowsTheLittleEndianBitStream() {
        // T1 of the spec: the 4-bit row for 0..31 starts with the word 0xccddeeff (code 0 in the low nibble).
        int[] words = {0xccddeeff};
        assertEquals(15, code(words, 0, 4));
        assertEquals(15, code(words, 4, 4));
        assertEquals(14, code(words, 8, 4));
        assertEquals(12, code(words, 28, 4));
        // A 3-bit code straddling two words: bits 30..32.
        assertEquals(0b101, code(new int[] {0x40000000, 0x1}, 30, 3));
    }

    @Test
    void quantizingLeavesTheInputUntouched() throws IOException {
        Path in = mixedInput();
        byte[] before = Files.readAllBytes(in);
        assertEquals(
                0,
                Cli.run("quantize", "-i", in, "-o", dir.resolve("q.safetensors"))
                        .exitCode());
        assertArrayEquals(before, Files.readAllBytes(in));
    }
}
