package io.jmlx.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.kernels.FloatFormats;
import io.jmlx.testing.ProductBound;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Access to MLX's golden vectors ({@code shared/golden}) for the conformance suites: the manifest, the
 * safetensors files (opened once), byte-exact comparison and the checked comparison of matmul outputs with the
 * exact products.
 */
final class GoldenFiles {
    private static final Map<String, SafetensorsFile> FILES = new HashMap<>();

    private GoldenFiles() {}

    /** Unmaps every file opened so far. */
    static synchronized void closeAll() {
        FILES.values().forEach(SafetensorsFile::close);
        FILES.clear();
    }

    static JsonNode manifest() throws IOException {
        return new ObjectMapper().readTree(SharedData.goldenManifest().toFile());
    }

    static synchronized SafetensorsFile file(String name) {
        return FILES.computeIfAbsent(name, n -> {
            try {
                return SafetensorsFile.open(SharedData.golden(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The tensor of output {@code key} of a case. */
    static Array output(JsonNode c, String key) {
        return file(c.get("file").asText())
                .get(c.get("outputs").get(key).get("name").asText());
    }

    /** An input tensor of a case's file. */
    static Array input(JsonNode c, String name) {
        return file(c.get("file").asText()).get(name);
    }

    static void assertBytesEqual(Array expected, Array actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
        byte[] e = expected.toBytes();
        byte[] a = actual.toBytes();
        assertTrue(e.length > 0, what + " is empty");
        if (!Arrays.equals(e, a)) {
            int i = Arrays.mismatch(e, a);
            fail(what + " differs from MLX first at element "
                    + i / expected.dtype().byteSize() + " of " + expected.size());
        }
    }

    /**
     * The largest share of its bound that any of jmlx's checked outputs used, over every case so far (close to 1 for
     * the half types: the final rounding alone may take all of {@code u_T·|y|}).
     */
    private static double largestShare;

    /** {@link #largestShare}, for the suites' closing line. */
    static synchronized double largestShare() {
        return largestShare;
    }

    /**
     * Checks a matmul output of shape {@code [batches..., m, n]}: (1) MLX's values equal
     * {@code emulation.apply(batch)} bit for bit, pinning what MLX computed; (2) jmlx's are within
     * {@link ProductBound} (float32 accumulation and one rounding to T) of the exact product of one of the weight
     * choices {@code references.apply(batch)} (float64 sums: the stored dequantized weights, or {@code s·q + b}
     * unrounded), {@code magnitudes} giving {@code Σ|x|·|w|}; (3) the check refuses an output of zeros and one off
     * by 1%, so it can fail. Outputs MLX overflowed are skipped; their count is returned.
     */
    static int checkProduct(
            Array expectedArray,
            Array actualArray,
            int k,
            IntFunction<float[]> emulation,
            IntFunction<double[][]> references,
            IntFunction<double[]> magnitudes) {
        assertArrayEquals(expectedArray.shape(), actualArray.shape(), "output shape");
        DType t = expectedArray.dtype();
        assertEquals(t, actualArray.dtype(), "output dtype");
        float[] expected = expectedArray.toFloatArray();
        float[] actual = actualArray.toFloatArray();
        int perBatch = expectedArray.dim(-2) * expectedArray.dim(-1);
        int nonFinite = 0;
        for (int b = 0; b < expected.length / perBatch; b++) {
            float[] emulated = emulation.apply(b);
            double[][] exact = references.apply(b);
            double[] magnitude = magnitudes.apply(b);
            boolean[] overflowed = new boolean[perBatch];
            float[] mine = Arrays.copyOfRange(actual, b * perBatch, (b + 1) * perBatch);
            for (int i = 0; i < perBatch; i++) {
                float e = expected[b * perBatch + i];
                if (!Float.isFinite(e)) {
                    overflowed[i] = true;
                    nonFinite++;
                } else if (Float.floatToIntBits(emulated[i]) != Float.floatToIntBits(e)) {
                    fail("MLX's output " + i + " of batch " + b + " is " + e
                            + " but the emulation of its CPU kernel gives " + emulated[i]);
                }
            }
            String outside = ProductBound.check(t, k, mine, magnitude, overflowed, exact);
            if (outside != null) {
                fail("batch " + b + ": jmlx is not within the bound of any exact product: " + outside);
            }
            double share = Double.POSITIVE_INFINITY;
            for (double[] reference : exact) {
                share = Math.min(share, ProductBound.largestShare(t, k, mine, reference, magnitude, overflowed));
            }
            synchronized (GoldenFiles.class) {
                if (share > largestShare) {
                    System.out.println("SHARE " + share + " " + t + " k=" + k + " " + expectedArray);
                }
                largestShare = Math.max(largestShare, share);
            }
            float[] zeros = new float[perBatch];
            float[] onePercentOff = new float[perBatch];
            for (int i = 0; i < perBatch; i++) {
                onePercentOff[i] = FloatFormats.roundTo(t, (float) (exact[0][i] * 1.01));
            }
            assertNotNull(ProductBound.check(t, k, zeros, magnitude, overflowed, exact), "zeros must fail the check");
            assertNotNull(
                    ProductBound.check(t, k, onePercentOff, magnitude, overflowed, exact),
                    "an output 1% off must fail the check");
        }
        return nonFinite;
    }

    /** {@code Σ_k x·w} for every output of x (m×k, from {@code xOffset}) and w (n×k if transposed, else k×n). */
    static double[] exactProduct(
            float[] x, int xOffset, double[] w, int wOffset, int m, int k, int n, boolean transpose) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int kk = 0; kk < k; kk++) {
                    sum += (double) x[xOffset + i * k + kk] * w[wOffset + (transpose ? j * k + kk : kk * n + j)];
                }
                out[i * n + j] = sum;
            }
        }
        return out;
    }
}
