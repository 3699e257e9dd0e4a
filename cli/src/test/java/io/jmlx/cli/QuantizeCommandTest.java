package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code jmlx quantize}: its output report, option checks and the rules that protect files. */
class QuantizeCommandTest {
    @TempDir
    Path dir;

    Path input;

    @BeforeEach
    void writeInput() throws IOException {
        input = dir.resolve("in.safetensors");
        Map<String, Array> t = new TreeMap<>();
        Random r = new Random(3);
        t.put("fc.weight", QuantizeRoundTripTest.gaussian(r, DType.FLOAT32, 0.1, 8, 128));
        t.put("fc.bias", QuantizeRoundTripTest.gaussian(r, DType.FLOAT32, 0.1, 8));
        t.put("odd.weight", QuantizeRoundTripTest.gaussian(r, DType.FLOAT32, 0.1, 4, 100));
        Cli.write(input, t, Map.of("format", "pt"));
    }

    /** The run failed with a single line on stderr (no stack trace) and wrote nothing to stdout's report. */
    private static void assertOneLineError(Cli.Result r, int exitCode, String... fragments) {
        assertEquals(exitCode, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("jmlx quantize: "), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
        for (String f : fragments) {
            assertTrue(r.err().contains(f), () -> "stderr should contain '" + f + "'\n" + r);
        }
    }

    @Test
    void printsOneLinePerTensorAndTotals() {
        Cli.Result r = Cli.run("quantize", "--input", input, "--output", dir.resolve("out.safetensors"));
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("jmlx quantize: "), r.out());
        assertTrue(
                lines.stream()
                        .anyMatch(
                                l -> l.matches(
                                        "\\s+quantized\\s+fc\\.weight\\s+\\(8,128\\) float32 -> 4-bit, group 64\\s+4,096 B -> 640 B")),
                r.out());
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("\\s+copied\\s+fc\\.bias\\s+\\(8\\) float32\\s+32 B -> 32 B")),
                r.out());
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.matches("total: 3 tensors \\(1 quantized, 2 copied\\), "
                                + "5,728 B -> 2,272 B \\(2\\.52x smaller\\) in \\d+\\.\\d\\d s")),
                r.out());
        assertTrue(lines.get(lines.size() - 1).startsWith("wrote "), r.out());
        assertEquals("", r.err());
    }

    @Test
    void aWeightWhoseLastDimensionIsNotAMultipleOfTheGroupSizeIsCopiedWithANote() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Cli.Result r = Cli.run("quantize", "--input", input, "--output", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.contains("copied")
                                && l.contains("odd.weight")
                                && l.contains("last dimension 100 is not divisible by the group size 64")),
                r.out());
        try (SafetensorsFile in = SafetensorsFile.open(input);
                SafetensorsFile o = SafetensorsFile.open(out)) {
            Cli.assertSameTensor(in, o, "odd.weight");
            assertFalse(o.contains("odd.scales"));
            assertFalse(o.contains("odd.biases"));
            assertEquals(List.of("fc.bias", "fc.biases", "fc.scales", "fc.weight", "odd.weight"), o.names());
        }
    }

    @Test
    void refusesAnExistingOutputWithoutForce() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Files.writeString(out, "precious");
        Cli.Result r = Cli.run("quantize", "--input", input, "--output", out);
        assertOneLineError(r, 2, "already exists", "--force");
        assertEquals("precious", Files.readString(out));
        assertEquals(List.of("in.safetensors", "out.safetensors"), Cli.listing(dir));
    }

    @Test
    void forceReplacesAnExistingOutput() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Files.writeString(out, "old");
        Cli.Result r = Cli.run("quantize", "--input", input, "--output", out, "--force");
        assertEquals(0, r.exitCode(), r::toString);
        try (SafetensorsFile o = SafetensorsFile.open(out)) {
            assertTrue(o.contains("fc.scales"));
        }
        assertEquals(List.of("in.safetensors", "out.safetensors"), Cli.listing(dir));
    }

    @Test
    void refusesToWriteOverItsInput() throws IOException {
        byte[] before = Files.readAllBytes(input);
        assertOneLineError(Cli.run("quantize", "--input", input, "--output", input, "--force"), 2, "is the input file");
        Path sameByAnotherName = dir.resolve(".").resolve("in.safetensors");
        assertOneLineError(Cli.run("quantize", "-i", input, "-o", sameByAnotherName, "-f"), 2, "is the input file");
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), input);
        assertOneLineError(Cli.run("quantize", "-i", input, "-o", link, "-f"), 2, "is the input file");
        assertArrayEquals(before, Files.readAllBytes(input));
    }

    @Test
    void invalidBitsAreRefusedWithMlxsMessage() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Cli.Result r = Cli.run("quantize", "--input", input, "--output", out, "--bits", "7");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(
                "jmlx quantize: [quantize] The requested number of bits 7 is not supported. The supported bits "
                        + "are 2, 3, 4, 5, 6 and 8.",
                r.err().strip());
        assertFalse(Files.exists(out));
    }

    @Test
    void invalidGroupSizesAndModesAreRefused() {
        Path out = dir.resolve("out.safetensors");
        assertOneLineError(
                Cli.run("quantize", "-i", input, "-o", out, "--group-size", "16"),
                2,
                "[quantize] The requested group size 16 is not supported. The supported group sizes are 32, 64, and 128.");
        assertOneLineError(Cli.run("quantize", "-i", input, "-o", out, "--group-size", "0"), 2, "--group-size");
        assertOneLineError(Cli.run("quantize", "-i", input, "-o", out, "--group-size", "-64"), 2, "--group-size");
        assertOneLineError(
                Cli.run("quantize", "-i", input, "-o", out, "--mode", "xyz"),
                2,
                "[quantize] Invalid quantization mode 'xyz'.");
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingInputIsAClearError() {
        Path out = dir.resolve("out.safetensors");
        assertOneLineError(
                Cli.run("quantize", "-i", dir.resolve("absent.safetensors"), "-o", out),
                1,
                "input file not found",
                "absent.safetensors");
        assertOneLineError(Cli.run("quantize", "-i", dir, "-o", out), 1, "is a folder");
        assertFalse(Files.exists(out));
    }

    @Test
    void aTruncatedInputIsRefusedAndNothingIsWritten() throws IOException {
        byte[] all = Files.readAllBytes(SharedData.golden("affine_float32_64x128.safetensors"));
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(all, all.length - 1000));
        Path out = dir.resolve("out.safetensors");
        assertOneLineError(
                Cli.run("quantize", "-i", truncated, "-o", out),
                1,
                "not a valid safetensors file",
                "truncated.safetensors",
                "beyond the data buffer");
        assertFalse(Files.exists(out));
        assertEquals(List.of("in.safetensors", "truncated.safetensors"), Cli.listing(dir));
    }

    @Test
    void aGarbageHeaderIsRefusedAndNothingIsWritten() throws IOException {
        Path garbage = dir.resolve("garbage.safetensors");
        byte[] bytes = new byte[64];
        bytes[0] = 40; // header length 40 ...
        byte[] text = "{\"a\": this is not json at all ......}".getBytes();
        System.arraycopy(text, 0, bytes, 8, text.length);
        Files.write(garbage, bytes);
        Path out = dir.resolve("out.safetensors");
        assertOneLineError(Cli.run("quantize", "-i", garbage, "-o", out), 1, "garbage.safetensors", "not valid JSON");
        Files.writeString(garbage, "this is a text file, not a checkpoint");
        assertOneLineError(Cli.run("quantize", "-i", garbage, "-o", out), 1, "header length");
        assertFalse(Files.exists(out));
    }

    @Test
    void verboseShowsTheStackTrace() throws IOException {
        Path garbage = dir.resolve("garbage.safetensors");
        Files.writeString(garbage, "short");
        Cli.Result r = Cli.run("quantize", "-i", garbage, "-o", dir.resolve("out.safetensors"), "--verbose");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("SafetensorsFormatException") && r.err().contains("\tat "), r::toString);
    }

    @Test
    void aWeightThatCannotBeQuantizedFailsTheRunAndLeavesTheOutputAlone() throws IOException {
        float[] w = new float[2 * 64];
        w[5] = Float.NaN;
        Path bad = dir.resolve("nan.safetensors");
        Cli.write(bad, Map.of("x.weight", Array.of(w, 2, 64)), Map.of());
        Path out = dir.resolve("out.safetensors");
        Files.writeString(out, "keep me");
        Cli.Result r = Cli.run("quantize", "-i", bad, "-o", out, "--force");
        assertOneLineError(r, 1, "x.weight", "NaN");
        assertEquals("keep me", Files.readString(out));
        assertEquals(List.of("in.safetensors", "nan.safetensors", "out.safetensors"), Cli.listing(dir));
    }

    @Test
    void theOutputFolderMustExist() {
        assertOneLineError(
                Cli.run("quantize", "-i", input, "-o", dir.resolve("no/such/out.safetensors")), 2, "does not exist");
        assertOneLineError(Cli.run("quantize", "-i", input, "-o", dir, "-f"), 2, "is a folder");
    }

    @Test
    void anAlreadyQuantizedFileIsOnlyQuantizedFurtherWithTheSameSettings() throws IOException {
        Path q4 = dir.resolve("q4.safetensors");
        assertEquals(0, Cli.run("quantize", "-i", input, "-o", q4).exitCode());
        Path again = dir.resolve("again.safetensors");
        assertOneLineError(
                Cli.run("quantize", "-i", q4, "-o", again, "--bits", "8"),
                1,
                "already holds quantized",
                "fc.weight",
                "--group-size 64 --bits 4");
        assertFalse(Files.exists(again));
        Cli.Result same = Cli.run("quantize", "-i", q4, "-o", again);
        assertEquals(0, same.exitCode(), same::toString);
        assertTrue(same.out().contains("already quantized"), same.out());
        try (SafetensorsFile a = SafetensorsFile.open(q4);
                SafetensorsFile b = SafetensorsFile.open(again)) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                Cli.assertSameTensor(a, b, name);
            }
        }
    }

    @Test
    void aFloatWeightBesideExistingScalesIsRefused() throws IOException {
        Path odd = dir.resolve("odd.safetensors");
        Map<String, Array> t = new TreeMap<>();
        t.put("p.weight", Array.zeros(DType.FLOAT32, 2, 64));
        t.put("p.scales", Array.zeros(DType.FLOAT32, 2, 1));
        Cli.write(odd, t, Map.of());
        assertOneLineError(Cli.run("quantize", "-i", odd, "-o", dir.resolve("out.safetensors")), 1, "p.scales");
    }

    @Test
    void theOutputMatchesTheCoreQuantizeBitForBit() throws IOException {
        Path out = dir.resolve("out.safetensors");
        assertEquals(
                0,
                Cli.run("quantize", "-i", input, "-o", out, "-b", "3", "-g", "32")
                        .exitCode());
        try (SafetensorsFile in = SafetensorsFile.open(input);
                SafetensorsFile o = SafetensorsFile.open(out)) {
            QuantizedParts q = Jmlx.quantize(in.get("fc.weight"), 32, 3);
            assertArrayEquals(q.packed().toBytes(), o.get("fc.weight").toBytes());
            assertArrayEquals(q.scales().toBytes(), o.get("fc.scales").toBytes());
            assertArrayEquals(q.biases().toBytes(), o.get("fc.biases").toBytes());
            assertArrayEquals(new int[] {8, 12}, o.info("fc.weight").shape());
            assertEquals("mlx", o.metadata().get("format"));
            assertEquals(
                    "{\"group_size\":32,\"bits\":3,\"mode\":\"affine\"}",
                    o.metadata().get("jmlx.quantization"));
        }
    }

    @ParameterizedTest(name = "--mode {0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "mxfp4 | --group-size | 64 | [quantize] mxfp4 quantization requires group size 32 but got 64.",
                "mxfp4 | --bits       | 8  | [quantize] mxfp4 quantization requires bits to be 4 but got 8.",
                "mxfp8 | --group-size | 16 | [quantize] mxfp8 quantization requires group size 32 but got 16.",
                "mxfp8 | --bits       | 4  | [quantize] mxfp8 quantization requires bits to be 8 but got 4.",
                "nvfp4 | --group-size | 32 | [quantize] nvfp4 quantization requires group size 16 but got 32.",
                "nvfp4 | --bits       | 8  | [quantize] nvfp4 quantization requires bits to be 4 but got 8.",
                "affine | --group-size | 16 | [quantize] The requested group size 16 is not supported. The supported "
                        + "group sizes are 32, 64, and 128."
            })
    void aWrongExplicitSettingIsRefusedWithMlxsMessageBeforeAnythingIsRead(
            String mode, String option, int value, String message) {
        Path out = dir.resolve("out.safetensors");
        Cli.Result r = Cli.run("quantize", "-i", input, "-o", out, "--mode", mode, option, value);
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("jmlx quantize: " + message, r.err().strip());
        assertEquals("", r.out());
        // Checked before the input is opened: a missing input does not change the answer.
        Cli.Result absent =
                Cli.run("quantize", "-i", dir.resolve("absent.safetensors"), "-o", out, "--mode", mode, option, value);
        assertEquals(r, absent);
        assertFalse(Files.exists(out));
    }

    @Test
    void theMicroscalingModesUseTheirOwnDefaultsAndAcceptThemExplicitly() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Cli.Result r =
                Cli.run("quantize", "-i", input, "-o", out, "--mode", "mxfp8", "--bits", "8", "--group-size", "32");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(
                r.out().startsWith("jmlx quantize: " + input + " -> " + out + " (mxfp8, 8 bits, group size 32)"),
                r.out());
        try (SafetensorsFile o = SafetensorsFile.open(out)) {
            assertEquals(
                    "{\"group_size\":32,\"bits\":8,\"mode\":\"mxfp8\"}",
                    o.metadata().get("jmlx.quantization"));
        }
    }

    @Test
    void microscaledWeightsHaveUint8ScalesAndNoBiases() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Cli.Result r = Cli.run("quantize", "-i", input, "-o", out, "--mode", "mxfp4");
        assertEquals(0, r.exitCode(), r::toString);
        // 8 rows of 128: 16 words (64 B) and 4 scale bytes per row.
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(
                                l -> l.matches(
                                        "\\s+quantized\\s+fc\\.weight\\s+\\(8,128\\) float32 -> mxfp4, group 32\\s+4,096 B -> 544 B")),
                r.out());
        try (SafetensorsFile in = SafetensorsFile.open(input);
                SafetensorsFile o = SafetensorsFile.open(out)) {
            assertEquals(List.of("fc.bias", "fc.scales", "fc.weight", "odd.weight"), o.names());
            assertEquals(DType.UINT32, o.info("fc.weight").dtype());
            assertArrayEquals(new int[] {8, 16}, o.info("fc.weight").shape());
            assertEquals(DType.UINT8, o.info("fc.scales").dtype());
            assertArrayEquals(new int[] {8, 4}, o.info("fc.scales").shape());
            QuantizedParts q = Jmlx.quantize(in.get("fc.weight"), "mxfp4");
            assertNull(q.biases());
            assertArrayEquals(q.packed().toBytes(), o.get("fc.weight").toBytes());
            assertArrayEquals(q.scales().toBytes(), o.get("fc.scales").toBytes());
            assertEquals(
                    "{\"group_size\":32,\"bits\":4,\"mode\":\"mxfp4\"}",
                    o.metadata().get("jmlx.quantization"));
        }
    }

    @Test
    void theSkipRuleUsesTheModesGroupSize() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Cli.Result r = Cli.run("quantize", "-i", input, "-o", out, "--mode", "nvfp4");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.contains("copied")
                                && l.contains("odd.weight")
                                && l.contains("last dimension 100 is not divisible by the group size 16")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("fc.weight") && l.contains("-> nvfp4, group 16")), r.out());
        Path in16 = dir.resolve("in16.safetensors");
        Cli.write(in16, Map.of("p.weight", Array.zeros(DType.FLOAT32, 2, 48)), Map.of());
        Cli.Result affine = Cli.run("quantize", "-i", in16, "-o", dir.resolve("a.safetensors"), "-g", "32");
        assertTrue(affine.out().contains("last dimension 48 is not divisible by the group size 32"), affine.out());
        Cli.Result nv = Cli.run("quantize", "-i", in16, "-o", dir.resolve("n.safetensors"), "--mode", "nvfp4");
        assertTrue(nv.out().contains("total: 1 tensors (1 quantized, 0 copied)"), nv.out());
    }

    @Test
    void aMicroscaledFileIsOnlyQuantizedFurtherInItsOwnMode() throws IOException {
        Path mx = dir.resolve("mx.safetensors");
        assertEquals(
                0, Cli.run("quantize", "-i", input, "-o", mx, "--mode", "mxfp4").exitCode());
        Path again = dir.resolve("again.safetensors");
        assertOneLineError(
                Cli.run("quantize", "-i", mx, "-o", again),
                1,
                "already holds quantized",
                "fc.weight",
                "quantized in mxfp4 mode",
                "--mode mxfp4 --group-size 32 --bits 4");
        assertOneLineError(Cli.run("quantize", "-i", mx, "-o", again, "--mode", "nvfp4"), 1, "already holds quantized");
        Cli.Result same = Cli.run("quantize", "-i", mx, "-o", again, "--mode", "mxfp4");
        assertEquals(0, same.exitCode(), same::toString);
        assertTrue(
                same.out().lines().anyMatch(l -> l.contains("fc.weight") && l.contains("already quantized")),
                same.out());
        try (SafetensorsFile a = SafetensorsFile.open(mx);
                SafetensorsFile b = SafetensorsFile.open(again)) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                Cli.assertSameTensor(a, b, name);
            }
        }
    }
}
