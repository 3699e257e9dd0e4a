package io.jmlx.cli;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.io.SafetensorsFile;
import io.jmlx.quant.QuantizedParts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jmlx dequantize}: where group size and bits come from, and the same file-safety rules as quantize. */
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
        Path in = quantizedFile("q.safetensors", 128, 2,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(128, 2, "affine").toJson()));
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
        Path in = quantizedFile("q.safetensors", 32, 8,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(64, 4, "affine").toJson()));
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
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", out), 1, "layer.weight",
                "--group-size 64 --bits 8, --group-size 128 --bits 4", "pick one");
        assertFalse(Files.exists(out));
    }

    @Test
    void explicitOptionsThatDoNotFitAreAUsageError() throws IOException {
        Path in = quantizedFile("q.safetensors", 64, 4, Map.of());
        Path out = dir.resolve("d.safetensors");
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", out, "--bits", "3"), 2, "do not fit group size 64 and "
                + "3 bits (from --group-size/--bits)", "--group-size 64 --bits 4");
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", out, "--bits", "0"), 2, "--bits");
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", out, "--group-size", "0"), 2, "--group-size");
        assertFalse(Files.exists(out));
    }

    @Test
    void metadataThatDoesNotFitIsAnError() throws IOException {
        Path in = quantizedFile("q.safetensors", 64, 4,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(64, 8, "affine").toJson()));
        assertOneLineError(Cli.run("dequantize", "-i", in, "-o", dir.resolve("d.safetensors")), 1,
                "from the input's jmlx.quantization metadata");
    }

    @Test
    void malformedOrForeignMetadataIsRefused() throws IOException {
        Path bad = quantizedFile("bad.safetensors", 64, 4, Map.of(QuantizationMetadata.KEY, "{not json"));
        assertOneLineError(Cli.run("dequantize", "-i", bad, "-o", dir.resolve("d.safetensors")), 1, "not valid JSON");
        Path wrongTypes = quantizedFile("types.safetensors", 64, 4,
                Map.of(QuantizationMetadata.KEY, "{\"group_size\":\"64\",\"bits\":4}"));
        assertOneLineError(Cli.run("dequantize", "-i", wrongTypes, "-o", dir.resolve("d.safetensors")), 1,
                "integer group_size and bits");
        Path mx = quantizedFile("mx.safetensors", 64, 4,
                Map.of(QuantizationMetadata.KEY, new QuantizationMetadata(32, 4, "mxfp4").toJson()));
        assertOneLineError(Cli.run("dequantize", "-i", mx, "-o", dir.resolve("d.safetensors")), 1, "mxfp4");
    }

    @Test
    void aFileWithoutQuantizedWeightsIsCopied() throws IOException {
        Path in = dir.resolve("dense.safetensors");
        Cli.write(in, Map.of("a.weight", Array.of(new float[] {1, 2}, 1, 2)), Map.of());
        Path out = dir.resolve("d.safetensors");
        Cli.Result r = Cli.run("dequantize", "-i", in, "-o", out);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("no quantized weight"), r.out());
        try (SafetensorsFile a = SafetensorsFile.open(in); SafetensorsFile b = SafetensorsFile.open(out)) {
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
