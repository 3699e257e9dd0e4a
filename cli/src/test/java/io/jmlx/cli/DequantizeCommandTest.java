package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizedParts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jmlx dequantize}: where mode, group size and bits come from, the output dtype, and the same file-safety
 * rules as quantize.
 */
class DequantizeCommandTest {
    @TempDir
    Path dir;

    private final Array weight = QuantizeRoundTripTest.gaussian(new Random(11), DType.FLOAT16, 0.05, 16, 256);

    /** An mlx-lm style file (no jmlx metadata, unless given) holding one trio quantized with {@code g}/{@code b}. */
    private Path quantizedFile(String name, int g, int b, Map<String, String> metadata) throws IOException {
        QuantizedParts q = Jmlx.quantize(weight, g, b);
        Map<String, Array> t = new TreeMap<>();
        t.put("layer.weight", q.packed());
        t.put("layer.scales", q.scales());
        t.put("layer.biases", q.biases());
        t.put("layer.bias", Array.of(new float[] {1, 2, 3}, 3));
        t.put("packed_ids.weight", Array.of(new int[] {1, 2, 3, 4}, DType.UINT32, 2, 2));
        Path p = dir.resolve(name);
        Cli.write(p, t, metadata);
        return p;
    }

    /** A file holding {@code layer} quantized in a microscaling {@code mode}: packed codes and uint8 scales. */
    private Path microscaledFile(String name, String mode, Map<String, String> metadata) throws IOException {
        QuantizedParts q = Jmlx.quantize(weight, mode);
        Map<String, Array> t = new TreeMap<>();
        t.put("layer.weight", q.packed());
        t.put("layer.scales", q.scales());
        t.put("layer.bias", Array.of(new float[] {1, 2, 3}, 3));
        t.put("packed_ids.weight", Array.of(new int[] {1, 2, 3, 4}, DType.UINT32, 2, 2));
        Path p = dir.resolve(name);
        Cli.write(p, t, metadata);
        return p;
    }

    /** What the core's dequantize gives for {@link #weight} quantized in a microscaling mode. */
    private Array expected(String mode, DType dtype) {
        QuantizedParts q = Jmlx.quantize(weight, mode);
        return Jmlx.dequantize(q.packed(), q.scales(), null, null, null, mode, null, dtype, null);
    }

    /** Asserts {@code out} holds {@link #weight} dequantized as the core does, in {@code mode} ({@code null} dtype: MLX's default). */
    private void assertDense(Path out, String mode, DType dtype) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(List.of("layer.bias", "layer.weight", "packed_ids.weight"), f.names());
            assertEquals(
                    dtype == null ? DType.BFLOAT16 : dtype,
                    f.info("layer.weight").dtype());
            assertArrayEquals(new int[] {16, 256}, f.info("layer.weight").shape());
            assertArrayEquals(
                    expected(mode, dtype).toBytes(), f.get("layer.weight").toBytes());
            assertArrayEquals(new int[] {1, 2, 3, 4}, f.get("packed_ids.weight").toIntArray());
        }
    }

    private Array expected(int g, int b) {
        QuantizedParts q = Jmlx.quantize(weight, g, b);
        return Jmlx.dequantize(q.packed(), q.scales(), q.biases(), g, b);
    }

    private static void assertOneLineError(Cli.Result r, int exitCode, String... fragments) {
        assertEquals(exitCode, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("jmlx dequantize: "), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        for (String f : fragments) {
            assertTrue(r.err().contains(f), () -> "stderr should contain '" + f + "'\n" + r);
        }
    }

    private void assertDense(Path out, int g, int b) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(List.of("layer.bias", "layer.weight", "packed_ids.weight"), f.names());
            assertEquals(DType.FLOAT16, f.info("layer.weight").dtype(), "the scales' type, as MLX");
            assertArrayEquals(new int[] {16, 256}, f.info("layer.weight").shape());
            assertArrayEquals(expected(g, b).toBytes(), f.get("layer.weight").toBytes());
            assertArrayEquals(new float[] {1, 2, 3}, f.get("layer.bias").toFloatArray());
            assertArrayEquals(new int[] {1, 2, 3, 4}, f.get("packed_ids.weight").toIntArray());
        }
    }

    @Test
    void mlxDefaultsAreUsedWhenNothingElseSaysOtherwise() throws IOException {
        Path in = quantizedFile("q.safetensors", 64, 4, Map.of("format", "mlx"));
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("MLX's defaults"), r.out());
        assertTrue(r.out().contains("uint32 without packed_ids.scales"), r.out());
        assertDense(out, 64, 4);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(Map.of("format", "mlx"), f.metadata());
        }
    }

    @Test
    void theMetadataWrittenByQuantizeIsUsed() throws IOException {
        Path in = quantizedFile(
                "q.safetensors",
                128,
                2,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(128, 2, QuantizationMode.AFFINE).toJson()));
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("group size 128, 2 bits, from the input's jmlx.quantization metadata"), r.out());
        assertDense(out, 128, 2);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertTrue(f.metadata().isEmpty(), "jmlx.quantization is dropped");
        }
    }

    @Test
    void optionsWinOverMetadata() throws IOException {
        Path in = quantizedFile(
                "q.safetensors",
                32,
                8,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(64, 4, QuantizationMode.AFFINE).toJson()));
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out, "--group-size", "32", "--bits", "8");
        assertEquals(0, r.exitCode(), r::toString);
        assertDense(out, 32, 8);
    }

    @Test
    void theOnlyFittingPairIsInferredWhenTheDefaultsDoNotFit() throws IOException {
        Path in = quantizedFile("q.safetensors", 32, 2, Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("group size 32 and 2 bits inferred from the shapes"), r.out());
        assertDense(out, 32, 2);
    }

    @Test
    void severalFittingPairsStopTheRunWithTheChoices() throws IOException {
        Path in = quantizedFile("q.safetensors", 64, 8, Map.of());
        Path out = dir.resolve("d.safetensors");
        assertOneLineError(
                Cli.run("dequantize", "-i", in, "-o", out),
                1,
                "layer.weight",
                "--group-size 64 --bits 8, --group-size 128 --bits 4",
                "pick one");
        assertFalse(Files.exists(out));
    }

    @Test
    void explicitOptionsThatDoNotFitAreAUsageError() throws IOException {
        Path in = quantizedFile("q.safetensors", 64, 4, Map.of());
        Path out = dir.resolve("d.safetensors");
        assertOneLineError(
                Cli.run("dequantize", "-i", in, "-o", out, "--bits", "3"),
                2,
                "do not fit group size 64 and " + "3 bits (from --group-size/--bits)",
                "--group-size 64 --bits 4");
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", out, "--bits", "0"), 2, "--bits");
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", out, "--group-size", "0"), 2, "--group-size");
        assertFalse(Files.exists(out));
    }

    @Test
    void metadataThatDoesNotFitIsAnError() throws IOException {
        Path in = quantizedFile(
                "q.safetensors",
                64,
                4,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(64, 8, QuantizationMode.AFFINE).toJson()));
        assertOneLineError(
                Cli.run("dequantize", "-i", in, "-o", dir.resolve("d.safetensors")),
                1,
                "from the input's jmlx.quantization metadata");
    }

    @Test
    void malformedOrForeignMetadataIsRefused() throws IOException {
        Path bad = quantizedFile("bad.safetensors", 64, 4, Map.of(QuantizationMetadata.KEY, "{not json"));
        assertOneLineError(Cli.run("dequantize", "-i", bad, "-o", dir.resolve("d.safetensors")), 1, "not valid JSON");
        Path wrongTypes = quantizedFile(
                "types.safetensors", 64, 4, Map.of(QuantizationMetadata.KEY, "{\"group_size\":\"64\",\"bits\":4}"));
        assertOneLineError(
                Cli.run("dequantize", "-i", wrongTypes, "-o", dir.resolve("d.safetensors")),
                1,
                "integer group_size and bits");
        Path unknown = quantizedFile(
                "unknown.safetensors",
                64,
                4,
                Map.of(QuantizationMetadata.KEY, "{\"group_size\":32,\"bits\":4,\"mode\":\"mxfp5\"}"));
        assertOneLineError(
                Cli.run("dequantize", "-i", unknown, "-o", dir.resolve("d.safetensors")), 1, "unknown mode 'mxfp5'");
        Path mislabelled = quantizedFile(
                "mislabelled.safetensors",
                64,
                4,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(32, 4, QuantizationMode.MXFP4).toJson()));
        assertOneLineError(
                Cli.run("dequantize", "-i", mislabelled, "-o", dir.resolve("d.safetensors")),
                1,
                "layer.weight has float16 scales and biases (affine) but the mode is mxfp4");
        assertFalse(Files.exists(dir.resolve("d.safetensors")));
    }

    @Test
    void mxfp4MetadataIsReadBack() throws IOException {
        Path mx = microscaledFile(
                "mx.safetensors",
                "mxfp4",
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(32, 4, QuantizationMode.MXFP4).toJson()));
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", mx, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(
                r.out().contains("(mxfp4, group size 32, 4 bits, from the input's jmlx.quantization metadata)"),
                r.out());
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.matches("\\s+dequantized\\s+layer\\.weight\\s+\\(16,32\\) mxfp4, "
                                + "group 32 -> \\(16,256\\) bfloat16\\s+2,176 B -> 8,192 B")),
                r.out());
        assertDense(out, "mxfp4", null);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertTrue(f.metadata().isEmpty(), "jmlx.quantization is dropped");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mxfp4", "mxfp8", "nvfp4"})
    void eachMicroscalingModeIsInferredFromTheShapesWithoutMetadata(String mode) throws IOException {
        Path in = microscaledFile("q.safetensors", mode, Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("mode from each weight's scales"), r.out());
        assertTrue(
                r.out()
                        .lines()
                        .anyMatch(l -> l.contains("dequantized")
                                && l.contains("layer.weight")
                                && l.contains(mode + " inferred from the shapes")),
                r.out());
        assertDense(out, mode, null);
    }

    @Test
    void aFileMixingModesIsDequantizedWeightByWeight() throws IOException {
        Map<String, Array> t = new TreeMap<>();
        QuantizedParts affine = Jmlx.quantize(weight, 32, 2);
        t.put("a.weight", affine.packed());
        t.put("a.scales", affine.scales());
        t.put("a.biases", affine.biases());
        for (String mode : new String[] {"mxfp4", "mxfp8", "nvfp4"}) {
            QuantizedParts q = Jmlx.quantize(weight, mode);
            t.put(mode + ".weight", q.packed());
            t.put(mode + ".scales", q.scales());
        }
        Path in = dir.resolve("mixed.safetensors");
        Cli.write(in, t, Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out, "--dtype", "float32");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("total: 4 tensors (4 dequantized, 0 copied)"), r.out());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(List.of("a.weight", "mxfp4.weight", "mxfp8.weight", "nvfp4.weight"), f.names());
            assertArrayEquals(
                    Jmlx.dequantize(
                                    affine.packed(),
                                    affine.scales(),
                                    affine.biases(),
                                    32,
                                    2,
                                    "affine",
                                    DType.FLOAT32,
                                    null)
                            .toBytes(),
                    f.get("a.weight").toBytes());
            for (String mode : new String[] {"mxfp4", "mxfp8", "nvfp4"}) {
                assertArrayEquals(
                        expected(mode, DType.FLOAT32).toBytes(),
                        f.get(mode + ".weight").toBytes(),
                        mode);
            }
        }
    }

    @Test
    void dtypeChoosesTheOutputType() throws IOException {
        Path affine = quantizedFile("a.safetensors", 64, 4, Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", affine, "-o", out, "--dtype", "float32");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("; output float32)"), r.out());
        QuantizedParts q = Jmlx.quantize(weight, 64, 4);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(DType.FLOAT32, f.info("layer.weight").dtype());
            assertArrayEquals(
                    Jmlx.dequantize(q.packed(), q.scales(), q.biases(), 64, 4, "affine", DType.FLOAT32, null)
                            .toBytes(),
                    f.get("layer.weight").toBytes());
            assertArrayEquals(
                    expected(64, 4).astype(DType.FLOAT32).toBytes(),
                    f.get("layer.weight").toBytes(),
                    "affine computes in the scales' type, then converts");
        }
        Path mx8 = microscaledFile("mx8.safetensors", "mxfp8", Map.of());
        assertEquals(
                0,
                Cli.run("dequantize", "-i", mx8, "-o", out, "-f", "--dtype", "float16")
                        .exitCode());
        assertDense(out, "mxfp8", DType.FLOAT16);
    }

    @ParameterizedTest
    @ValueSource(strings = {"int32", "uint8", "bool", "float128"})
    void aDtypeThatIsNotAFloatingTypeIsAUsageError(String dtype) throws IOException {
        Path in = microscaledFile("q.safetensors", "mxfp4", Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out, "--dtype", dtype);
        assertEquals(
                "jmlx dequantize: --dtype must be a floating type (float32, float16, bfloat16 or float64) but is '"
                        + dtype + "'",
                r.err().strip(),
                r::toString);
        assertEquals(2, r.exitCode());
        assertEquals(
                r,
                Cli.run("dequantize", "-i", dir.resolve("absent.safetensors"), "-o", out, "--dtype", dtype),
                "checked before the input is read");
        assertFalse(Files.exists(out));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "mxfp4 | --group-size | 64 | [dequantize] mxfp4 quantization requires group size 32 but got 64.",
                "mxfp4 | --bits       | 8  | [dequantize] mxfp4 quantization requires bits to be 4 but got 8.",
                "mxfp8 | --group-size | 64 | [dequantize] mxfp8 quantization requires group size 32 but got 64.",
                "mxfp8 | --bits       | 4  | [dequantize] mxfp8 quantization requires bits to be 8 but got 4.",
                "nvfp4 | --group-size | 32 | [dequantize] nvfp4 quantization requires group size 16 but got 32.",
                "nvfp4 | --bits       | 2  | [dequantize] nvfp4 quantization requires bits to be 4 but got 2.",
                "xyz   | --bits       | 4  | [dequantize] Invalid quantization mode 'xyz'."
            })
    void aWrongExplicitSettingIsAUsageErrorWithMlxsMessage(String mode, String option, int value, String message)
            throws IOException {
        Path in = microscaledFile("q.safetensors", "mxfp4", Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out, "--mode", mode, option, value);
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("jmlx dequantize: " + message, r.err().strip());
        assertEquals(
                r,
                Cli.run(
                        "dequantize",
                        "-i",
                        dir.resolve("absent.safetensors"),
                        "-o",
                        out,
                        "--mode",
                        mode,
                        option,
                        value),
                "checked before the input is read");
        assertFalse(Files.exists(out));
    }

    @Test
    void anExplicitModeThatDoesNotMatchTheFileIsAUsageError() throws IOException {
        Path mx = microscaledFile("mx.safetensors", "mxfp4", Map.of());
        Path out = dir.resolve("d.safetensors");
        assertOneLineError(
                Cli.run("dequantize", "-i", mx, "-o", out, "--mode", "nvfp4"),
                2,
                "do not fit nvfp4 (group size 16, 4 bits, from --mode and the mode's defaults); they fit mxfp4");
        assertOneLineError(
                Cli.run("dequantize", "-i", mx, "-o", out, "--mode", "affine"),
                2,
                "layer.weight has uint8 scales and no biases (a microscaling mode) but the mode is affine",
                "its shapes fit mxfp4");
        assertOneLineError(
                Cli.run("dequantize", "-i", mx, "-o", out, "--bits", "8"),
                2,
                "layer.weight is mxfp4 by its shapes: [dequantize] mxfp4 quantization requires bits to be 4 but got 8.");
        Path affine = quantizedFile("a.safetensors", 64, 4, Map.of());
        assertOneLineError(
                Cli.run("dequantize", "-i", affine, "-o", out, "--mode", "mxfp8"),
                2,
                "layer.weight has float16 scales and biases (affine) but the mode is mxfp8 (from --mode");
        assertFalse(Files.exists(out));
        Cli.Result right = Cli.run("dequantize", "-i", mx, "-o", out, "--mode", "mxfp4", "-g", "32", "-b", "4");
        assertEquals(0, right.exitCode(), right::toString);
        assertTrue(
                right.out().contains("(mxfp4, group size 32, 4 bits, from --mode, --group-size/--bits)"), right.out());
        assertDense(out, "mxfp4", null);
    }

    @Test
    void metadataThatDoesNotFitItsModeOrTheFileIsAnError() throws IOException {
        Path wrongSettings = microscaledFile(
                "w.safetensors",
                "mxfp4",
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(64, 4, QuantizationMode.MXFP4).toJson()));
        Path out = dir.resolve("d.safetensors");
        assertOneLineError(
                Cli.run("dequantize", "-i", wrongSettings, "-o", out),
                1,
                "jmlx.quantization metadata",
                "is not valid: [dequantize] mxfp4 quantization requires group size 32 but got 64.");
        Path wrongMode = microscaledFile(
                "m.safetensors",
                "mxfp4",
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(16, 4, QuantizationMode.NVFP4).toJson()));
        assertOneLineError(
                Cli.run("dequantize", "-i", wrongMode, "-o", out),
                1,
                "do not fit nvfp4 (group size 16, 4 bits, from the input's jmlx.quantization metadata); they fit mxfp4");
        assertFalse(Files.exists(out));
        // The options win: --mode mxfp4 sets the metadata (written for nvfp4) aside.
        Cli.Result r = Cli.run("dequantize", "-i", wrongMode, "-o", out, "--mode", "mxfp4");
        assertEquals(0, r.exitCode(), r::toString);
        assertDense(out, "mxfp4", null);
    }

    @Test
    void uint8ScalesBesideBiasesAreNotAQuantizedWeight() throws IOException {
        QuantizedParts q = Jmlx.quantize(weight, "mxfp4");
        Map<String, Array> t = new TreeMap<>();
        t.put("odd.weight", q.packed());
        t.put("odd.scales", q.scales());
        t.put("odd.biases", Array.zeros(DType.FLOAT16, 16, 8));
        Path in = dir.resolve("odd.safetensors");
        Cli.write(in, t, Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("uint8 scales (a microscaling mode) but also odd.biases"), r.out());
        try (SafetensorsFile a = SafetensorsFile.open(in);
                SafetensorsFile b = SafetensorsFile.open(out)) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                Cli.assertSameTensor(a, b, name);
            }
        }
    }

    @Test
    void aFileWithoutQuantizedWeightsIsCopied() throws IOException {
        Path in = dir.resolve("dense.safetensors");
        Cli.write(in, Map.of("a.weight", Array.of(new float[] {1, 2}, 1, 2)), Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("no quantized weight"), r.out());
        try (SafetensorsFile a = SafetensorsFile.open(in);
                SafetensorsFile b = SafetensorsFile.open(out)) {
            Cli.assertSameTensor(a, b, "a.weight");
        }
    }

    @Test
    void theSameSafetyRulesAsQuantize() throws IOException {
        Path in = quantizedFile("q.safetensors", 64, 4, Map.of());
        Path out = dir.resolve("d.safetensors");
        Files.writeString(out, "precious");
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", out), 2, "already exists");
        assertEquals("precious", Files.readString(out));
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", in, "-f"), 2, "is the input file");
        Path truncated = dir.resolve("t.safetensors");
        byte[] all = Files.readAllBytes(in);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        Path fresh = dir.resolve("fresh.safetensors");
        assertOneLineError(Cli.run("dequantize", "-i", truncated, "-o", fresh), 1, "not a valid safetensors file");
        assertFalse(Files.exists(fresh));
        assertEquals(0, Cli.run("dequantize", "-i", in, "-o", out, "--force").exitCode());
        assertDense(out, 64, 4);
        assertEquals(List.of("d.safetensors", "q.safetensors", "t.safetensors"), Cli.listing(dir));
    }
}
