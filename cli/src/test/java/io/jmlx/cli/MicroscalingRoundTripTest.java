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
import io.jmlx.kernels.FpCodecs;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizedParts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code jmlx quantize --mode mxfp4|mxfp8|nvfp4} then {@code jmlx dequantize} on the example checkpoint: the file
 * holds MLX's two-part layout with the mode recorded, the CLI's bytes are the core's, and every dequantized value
 * is within the format's rounding error of the original.
 */
class MicroscalingRoundTripTest {
    private static final List<String> WEIGHTS = List.of("layers.0.weight", "layers.1.weight");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = QuantizationMode.class,
            names = {"MXFP4", "MXFP8", "NVFP4"})
    void theExampleCheckpointRoundTrips(QuantizationMode mode) throws IOException {
        int g = mode.defaultGroupSize();
        int b = mode.defaultBits();
        Path in = dir.resolve("ex.safetensors");
        Path q = dir.resolve("q.safetensors");
        Path d = dir.resolve("d.safetensors");
        Path d32 = dir.resolve("d32.safetensors");
        assertEquals(0, Cli.run("example", "--output", in).exitCode());

        Cli.Result qr = Cli.run("quantize", "-i", in, "-o", q, "--mode", mode.mlxName());
        assertEquals(0, qr.exitCode(), qr::toString);
        assertTrue(
                qr.out()
                        .startsWith("jmlx quantize: " + in + " -> " + q + " (" + mode + ", " + b + " bits, group size "
                                + g + ")"),
                qr.out());
        assertTrue(
                qr.out()
                        .lines()
                        .anyMatch(l -> l.matches("\\s+quantized\\s+layers\\.1\\.weight\\s+\\(64,256\\) "
                                + "bfloat16 -> " + mode + ", group " + g + "\\s+32,768 B -> .*")),
                qr.out());

        Cli.Result dr = Cli.run("dequantize", "-i", q, "-o", d);
        assertEquals(0, dr.exitCode(), dr::toString);
        assertTrue(
                dr.out()
                        .contains("(" + mode + ", group size " + g + ", " + b + " bits, from the input's "
                                + "jmlx.quantization metadata)"),
                dr.out());
        Cli.Result dr32 = Cli.run("dequantize", "-i", q, "-o", d32, "--dtype", "float32");
        assertEquals(0, dr32.exitCode(), dr32::toString);

        try (SafetensorsFile fi = SafetensorsFile.open(in);
                SafetensorsFile fq = SafetensorsFile.open(q);
                SafetensorsFile fd = SafetensorsFile.open(d);
                SafetensorsFile fd32 = SafetensorsFile.open(d32)) {
            assertEquals(
                    List.of(
                            "layers.0.bias",
                            "layers.0.scales",
                            "layers.0.weight",
                            "layers.1.bias",
                            "layers.1.scales",
                            "layers.1.weight",
                            "norm.weight"),
                    fq.names(),
                    "no biases in " + mode);
            assertEquals(
                    Map.of(
                            "format",
                            "mlx",
                            "jmlx.quantization",
                            "{\"group_size\":" + g + ",\"bits\":" + b + ",\"mode\":\"" + mode + "\"}"),
                    fq.metadata());
            assertEquals(fi.names(), fd.names());
            assertEquals(fi.names(), fd32.names());
            assertEquals(Map.of("format", "mlx"), fd.metadata());
            for (String name : List.of("layers.0.bias", "layers.1.bias", "norm.weight")) {
                Cli.assertSameTensor(fi, fq, name);
                Cli.assertSameTensor(fi, fd, name);
            }

            for (String name : WEIGHTS) {
                String scalesName = name.replace(".weight", ".scales");
                Array original = fi.get(name);
                Array packed = fq.get(name);
                Array scales = fq.get(scalesName);
                int rows = original.shape()[0];
                int cols = original.shape()[1];
                assertEquals(DType.UINT32, packed.dtype());
                assertArrayEquals(new int[] {rows, cols * b / 32}, packed.shape());
                assertEquals(DType.UINT8, scales.dtype());
                assertArrayEquals(new int[] {rows, cols / g}, scales.shape());

                // The CLI wires the parts as the core does: same quantized bytes, same dequantized bytes.
                QuantizedParts core = Jmlx.quantize(original, mode.mlxName());
                assertNull(core.biases());
                assertArrayEquals(core.packed().toBytes(), packed.toBytes(), name);
                assertArrayEquals(core.scales().toBytes(), scales.toBytes(), name);
                Array bf16 = fd.get(name);
                Array f32 = fd32.get(name);
                assertEquals(DType.BFLOAT16, bf16.dtype(), "MLX's default for " + mode);
                assertEquals(DType.FLOAT32, f32.dtype());
                assertArrayEquals(original.shape(), bf16.shape());
                assertArrayEquals(original.shape(), f32.shape());
                assertArrayEquals(
                        Jmlx.dequantize(core.packed(), core.scales(), mode.mlxName())
                                .toBytes(),
                        bf16.toBytes(),
                        name);
                assertArrayEquals(
                        Jmlx.dequantize(
                                        core.packed(),
                                        core.scales(),
                                        null,
                                        null,
                                        null,
                                        mode.mlxName(),
                                        null,
                                        DType.FLOAT32,
                                        null)
                                .toBytes(),
                        f32.toBytes(),
                        name);
                // element * scale has at most 2 (FP4) or 4 (FP8) significant bits times a power of two (mx), or
                // 2 times 4 (nvfp4's E4M3 scale): exact in bfloat16, so both outputs hold the same values.
                assertArrayEquals(f32.toFloatArray(), bf16.toFloatArray(), name);

                assertWithinRoundingError(
                        name,
                        mode,
                        original.dtype(),
                        original.toFloatArray(),
                        scales.toIntArray(),
                        f32.toFloatArray(),
                        g);
            }
        }
    }

    /**
     * Checks every element against the error the format allows, from the decoded scale {@code S} of its group
     * (mx: byte {@code e} is {@code 2^(e-127)}; nvfp4: the byte is an E4M3 float).
     *
     * <p>The encoder rounds {@code v = |w| / S} to the nearest value of the element grid: FP4 (E2M1) has
     * {@code 0, .5, 1, 1.5, 2, 3, 4, 6} (steps of .5 up to 2, 1 up to 4, 2 up to 6), FP8 (E4M3) has 3 mantissa
     * bits (step {@code 2^(floor(log2 v) - 3)}, and 2^-9 below 2^-6) up to 448. So while {@code v} is on the grid
     * the error is at most half the local step times {@code S} — at most {@code 1·S} for FP4 — and beyond the top
     * value the encoder saturates and the error is {@code |w| - max·S}. Saturation does happen: MLX's mx scale is
     * {@code 2^rint(log2(amax/max))}, which can be as small as {@code amax/(max·√2)}, so the largest elements of a
     * group can lie up to {@code (√2 - 1)·max·S} (about {@code 2.5·S} for FP4) beyond the top; nvfp4's E4M3 scale
     * can also round below {@code amax/6}. {@link #assertScaleFitsTheGroup} checks that each scale is what its
     * group's {@code max|w|} makes it, so neither term can grow unnoticed.
     *
     * <p>Slack, in units of {@code S}: one unit in the last place of the weight's type at {@code max(v, 2)}. The
     * encoder sees {@code w / S} rounded to that type (exact for a power-of-two S, half an ulp for nvfp4), and mx
     * FP4 compares distances rounded to it, where a tie after rounding picks the smaller magnitude (an ulp of a
     * distance below 2). The dequantized value itself is exact (see the caller).
     */
    private static void assertWithinRoundingError(
            String name,
            QuantizationMode mode,
            DType type,
            float[] original,
            int[] scaleBytes,
            float[] dense,
            int groupSize) {
        boolean fp8 = mode == QuantizationMode.MXFP8;
        double max = fp8 ? FpCodecs.FP8_MAX : FpCodecs.FP4_MAX;
        int groups = original.length / groupSize;
        assertEquals(groups, scaleBytes.length, name);
        int saturated = 0;
        for (int group = 0; group < groups; group++) {
            double s = decodeScale(mode, scaleBytes[group]);
            double amax = 0;
            for (int j = group * groupSize; j < (group + 1) * groupSize; j++) {
                amax = Math.max(amax, Math.abs(original[j]));
            }
            assertScaleFitsTheGroup(name, mode, type, group, s, amax);
            for (int j = group * groupSize; j < (group + 1) * groupSize; j++) {
                double v = Math.abs(original[j]) / s;
                double slack = QuantizeRoundTripTest.ulp(type, Math.max(v, 2));
                double units = v > max ? v - max : halfStep(fp8, Math.min(v + slack, max));
                double allowed = (units + slack) * s;
                double err = Math.abs((double) dense[j] - original[j]);
                if (err > allowed) {
                    throw new AssertionError(name + " element " + j + " (" + mode + "): original " + original[j]
                            + ", dequantized " + dense[j] + ", scale " + s + ": error " + err + " > " + allowed);
                }
                if (v > max) {
                    saturated++;
                }
            }
        }
        // Over hundreds of groups some scales round down, so the saturation case above is really exercised.
        assertTrue(saturated > 0, name + ": no element saturated");
    }

    /** Half the spacing of the element grid at {@code v} (0 ≤ v ≤ the top value). */
    private static double halfStep(boolean fp8, double v) {
        if (fp8) {
            return v < 0x1p-6 ? 0x1p-10 : Math.scalb(1.0, Math.getExponent(v) - 4);
        }
        return v <= 2 ? 0.25 : v <= 4 ? 0.5 : 1;
    }

    /** The value of a scale byte, decoded here from the format's definition (spec §5.1). */
    private static double decodeScale(QuantizationMode mode, int code) {
        return mode == QuantizationMode.NVFP4 ? FpCodecs.fp8Decode(code) : Math.scalb(1.0, code - 127);
    }

    /**
     * The scale is MLX's for the group's {@code max|w|}: mx, {@code 2^rint(log2(amax/max))} (in the weight's type),
     * so within a factor √2 of {@code amax/max} plus what rounding {@code amax/max} and its log2 to the type can
     * move it; nvfp4, {@code amax/6} rounded to E4M3 (half a step of its grid, plus the rounding to the type).
     */
    private static void assertScaleFitsTheGroup(
            String name, QuantizationMode mode, DType type, int group, double s, double amax) {
        double max = mode == QuantizationMode.MXFP8 ? FpCodecs.FP8_MAX : FpCodecs.FP4_MAX;
        double r = amax / max;
        boolean ok;
        if (mode == QuantizationMode.NVFP4) {
            ok = Math.abs(s - r) <= halfStep(true, r) + QuantizeRoundTripTest.ulp(type, r);
        } else {
            double log2 = Math.log(r) / Math.log(2);
            double relative = Math.log(2) * QuantizeRoundTripTest.ulp(type, Math.abs(log2)) / 2
                    + QuantizeRoundTripTest.ulp(type, 1);
            double factor = Math.sqrt(2) * (1 + relative);
            ok = s >= r / factor && s <= r * factor;
        }
        assertTrue(ok, name + " group " + group + " (" + mode + "): scale " + s + " does not fit max|w| = " + amax);
        assertFalse(Double.isInfinite(s), name);
    }
}
