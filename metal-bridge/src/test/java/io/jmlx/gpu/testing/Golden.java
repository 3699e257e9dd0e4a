package io.jmlx.gpu.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.kernels.BitPacking;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.kernels.FpCodecs;
import io.jmlx.kernels.FpFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * MLX's golden vectors ({@code shared/golden}: safetensors files and {@code manifest.json}), found by walking up
 * from the working directory to the first folder with {@code shared/golden}; files are memory-mapped once.
 */
public final class Golden {
    private static final Map<String, SafetensorsFile> FILES = new HashMap<>();

    private Golden() {}

    /** The folder {@code shared/golden}; fails with a clear message when there is none. */
    public static Path folder() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/golden");
            if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
                return candidate;
            }
        }
        throw new AssertionError("Cannot find MLX's golden vectors: no shared/golden/manifest.json in " + start
                + " or above; the tests expect the shared data at ../shared from the repository root");
    }

    public static JsonNode manifest() {
        try {
            return new ObjectMapper().readTree(folder().resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tensor {@code name} of the case's file. */
    public static synchronized Array tensor(JsonNode c, String name) {
        SafetensorsFile file = FILES.computeIfAbsent(c.get("file").asText(), f -> {
            try {
                return SafetensorsFile.open(folder().resolve(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return file.get(name);
    }

    /** The tensor of output {@code key} of a case. */
    public static Array output(JsonNode c, String key) {
        return tensor(c, c.get("outputs").get(key).get("name").asText());
    }

    /** Unmaps every file. */
    public static synchronized void closeAll() {
        FILES.values().forEach(SafetensorsFile::close);
        FILES.clear();
    }

    /**
     * The operands of a case's matmul output {@code key}: x {@code [batches, m, k]}, the quantized weight (shared by
     * the batches when 2-D), and the product's shape.
     */
    public record Product(
            Array x,
            Array packed,
            Array scales,
            Array biases,
            boolean transpose,
            DType dtype,
            int m,
            int k,
            int n,
            int batches,
            boolean sharedWeight) {}

    public static Product product(JsonNode c, String key) {
        JsonNode y = c.get("outputs").get(key);
        Array x = tensor(c, y.get("x").asText());
        Array packed = output(c, "w_q");
        int m = x.dim(-2);
        int k = x.dim(-1);
        return new Product(
                x,
                packed,
                output(c, "scales"),
                c.get("mode").asText().equals("affine") ? output(c, "biases") : null,
                y.get("transpose").asBoolean(),
                x.dtype(),
                m,
                k,
                output(c, key).dim(-1),
                (int) (x.size() / ((long) m * k)),
                packed.ndim() == 2);
    }

    /**
     * Checks a quantized matmul output against MLX's: within the bound the CPU conformance suites use,
     * {@code c · u_T · Σ|x|·|ŵ|} with {@code c = 2(K+2)} for float32 and {@code 4√K + 1} for the half types (MLX
     * accumulates in the half type), on each output MLX did not overflow; the overflowed ones must be as many as the
     * manifest says.
     */
    public static void checkProduct(JsonNode c, String key, MemorySegment out) {
        String mode = c.get("mode").asText();
        Product p = product(c, key);
        Array x = p.x();
        Array expected = output(c, key);
        Array packed = p.packed();
        Array scales = p.scales();
        boolean transpose = p.transpose();
        DType t = p.dtype();
        int m = p.m();
        int k = p.k();
        int n = p.n();
        int batches = p.batches();
        boolean shared = p.sharedWeight();
        JsonNode y = c.get("outputs").get(key);
        float[] weights = decodedMagnitudes(c, mode, packed, scales, t);
        int rows = packed.dim(-2);
        int cols = packed.dim(-1) * 32 / c.get("bits").asInt();
        float[] xs = x.toFloatArray();
        float[] want = expected.toFloatArray();
        float[] got = Array.wrap(out, t, expected.shape()).toFloatArray();
        double bound = (t == DType.FLOAT32 ? 2.0 * (k + 2) : 4 * Math.sqrt(k) + 1) * unitRoundoff(t);
        int nonFinite = 0;
        for (int b = 0; b < batches; b++) {
            int wOffset = shared ? 0 : b * rows * cols;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int index = (b * m + i) * n + j;
                    if (!Float.isFinite(want[index])) {
                        nonFinite++;
                        continue;
                    }
                    double magnitude = 0;
                    for (int kk = 0; kk < k; kk++) {
                        int w = wOffset + (transpose ? j * cols + kk : kk * cols + j);
                        magnitude += Math.abs((double) xs[(b * m + i) * k + kk]) * weights[w];
                    }
                    double diff = Math.abs((double) got[index] - want[index]);
                    if (!(diff <= bound * magnitude)) {
                        fail(key + " output " + index + ": GPU " + got[index] + ", MLX " + want[index] + ", |diff| "
                                + diff + " > bound " + bound * magnitude);
                    }
                }
            }
        }
        assertEquals(
                y.has("nonfinite_count") ? y.get("nonfinite_count").asInt() : 0,
                nonFinite,
                "outputs MLX overflowed (masked)");
    }

    /** Per stored weight, the magnitude its decoding involves: |s·q| + |b| (affine) or |element · scale|. */
    private static float[] decodedMagnitudes(JsonNode c, String mode, Array packed, Array scales, DType t) {
        int bits = c.get("bits").asInt();
        int groupSize = c.get("group_size").asInt();
        int cols = packed.dim(-1) * 32 / bits;
        int rows = (int) (packed.size() / packed.dim(-1));
        float[] s = mode.equals("affine") ? scales.toFloatArray() : null;
        float[] bias = mode.equals("affine") ? output(c, "biases").toFloatArray() : null;
        byte[] scaleBytes = mode.equals("affine") ? null : scales.toBytes();
        FpFormat format = mode.equals("affine") ? null : format(mode);
        float[] out = new float[rows * cols];
        int[] codes = new int[cols];
        for (int r = 0; r < rows; r++) {
            BitPacking.unpackRow(packed.data(), (long) r * packed.dim(-1), cols, bits, codes);
            for (int j = 0; j < cols; j++) {
                int g = r * (cols / groupSize) + j / groupSize;
                out[r * cols + j] = format == null
                        ? Math.abs(s[g] * codes[j]) + Math.abs(bias[g])
                        : Math.abs((bits == 4 ? FpCodecs.fp4Value(codes[j]) : FpCodecs.fp8Decode(codes[j]))
                                * FloatFormats.roundTo(t, format.scale(scaleBytes[g] & 0xFF)));
            }
        }
        return out;
    }

    private static double unitRoundoff(DType t) {
        return switch (t) {
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            default -> 0x1p-24;
        };
    }

    /** The microscaling format of a golden case's mode. */
    public static FpFormat format(String mode) {
        return FpFormat.valueOf(mode.toUpperCase(Locale.ROOT));
    }

    /** nvfp4's global scale of a case, or null. */
    public static Float globalScale(JsonNode c) {
        JsonNode name = c.get("global_scale");
        return name == null || name.isNull() ? null : tensor(c, name.asText()).toFloatArray()[0];
    }

    /** Fails unless {@code actual} starts with {@code expected}'s bytes. */
    public static void assertSameBytes(Array expected, MemorySegment actual, String what) {
        long at = expected.data().mismatch(actual.asSlice(0, expected.nbytes()));
        if (at >= 0) {
            fail(what + " differs from MLX first at element "
                    + at / expected.dtype().byteSize() + " of " + expected.size());
        }
    }
}
