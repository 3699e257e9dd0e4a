package io.jmlx.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.nn.Linear;
import io.jmlx.nn.ModelSaving;
import io.jmlx.nn.QuantizationResult;
import io.jmlx.nn.QuantizedEmbedding;
import io.jmlx.nn.QuantizedLinear;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Llama sample on TinyStories-260K against {@code expected.json}: float32 reproduces the 200 greedy tokens and the
 * teacher-forced loss; quantized in memory with mlx-lm's rule (every Linear and the embedding whose input width
 * divides the group size; down_proj, 172 wide, stays dense), 8 and 4 bits drift within the ranges measured when this
 * test was written, printed on every run.
 *
 * <p>Measured here (group size 64): 8 bits first differ at token 71 (float32's top-2 logit margin there is 0.053),
 * mean NLL 0.473747; 4 bits first differ at token 20, NLL 0.604035 (0.571007 with the embedding left dense).
 */
class TinyStoriesLlamaTest {
    private static final int STEPS = 200;
    private static ModelCheckpoint checkpoint;

    @BeforeAll
    static void open() throws IOException {
        checkpoint = ModelCheckpoint.open(TinyStories.directory());
    }

    @AfterAll
    static void close() {
        checkpoint.close();
    }

    private static int[] greedy(Llama llama) {
        int[] tokens = new int[STEPS];
        int[] count = {0};
        llama.generate(TinyStories.prompt(), STEPS, token -> tokens[count[0]++] = token);
        assertEquals(STEPS, count[0]);
        return tokens;
    }

    private static int firstDifference(int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void float32ReproducesTheReferenceTokensAndLoss() {
        Llama llama = Llama.load(checkpoint);
        long start = System.nanoTime();
        int[] tokens = greedy(llama);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("float32: %d tokens in %.2f s%n", STEPS, seconds);
        assertArrayEquals(TinyStories.expectedTokens(), tokens);
        double nll = llama.meanNll(TinyStories.prompt(), TinyStories.expectedTokens());
        System.out.printf("float32: mean NLL %.6f (reference %.6f)%n", nll, TinyStories.referenceNll());
        assertEquals(TinyStories.referenceNll(), nll, 1e-4);
        assertTrue(seconds < 60, "200 tokens must take seconds, took " + seconds + " s");
    }

    @Test
    void theIteratorAndTheCallbackGiveTheSameTokens() {
        Llama llama = Llama.load(checkpoint);
        Iterator<Integer> it = llama.generate(TinyStories.prompt(), 12);
        List<Integer> fromIterator = new ArrayList<>();
        it.forEachRemaining(fromIterator::add);
        assertFalse(it.hasNext());
        List<Integer> fromCallback = new ArrayList<>();
        llama.generate(TinyStories.prompt(), 12, fromCallback::add);
        assertEquals(fromIterator, fromCallback);
        int[] expected = TinyStories.expectedTokens();
        for (int i = 0; i < 12; i++) {
            assertEquals(expected[i], fromIterator.get(i));
        }
    }

    @Test
    void theModulePathsAreTheCheckpointKeys() {
        Llama llama = Llama.load(checkpoint);
        assertEquals(
                new java.util.TreeSet<>(checkpoint.names()),
                new java.util.TreeSet<>(llama.parameters().keySet()));
    }

    @Test
    void eightBitsStayCloseToFloat32() {
        Llama llama = Llama.load(checkpoint);
        QuantizationResult done = llama.quantize(64, 8);
        assertQuantizedAsMlxLm(llama, done);
        int[] tokens = greedy(llama);
        double nll = llama.meanNll(TinyStories.prompt(), TinyStories.expectedTokens());
        System.out.printf(
                "8-bit g64: first differing token %d, mean NLL %.6f%n",
                firstDifference(TinyStories.expectedTokens(), tokens), nll);
        int first = firstDifference(TinyStories.expectedTokens(), tokens);
        assertTrue(first == -1 || first >= 50, "first differing token " + first + ", measured 71");
        assertEquals(TinyStories.referenceNll(), nll, 2e-3, "measured 0.473747");
    }

    @Test
    void fourBitsDriftAsMeasured() {
        Llama llama = Llama.load(checkpoint);
        assertQuantizedAsMlxLm(llama, llama.quantize(64, 4));
        int[] tokens = greedy(llama);
        int first = firstDifference(TinyStories.expectedTokens(), tokens);
        double nll = llama.meanNll(TinyStories.prompt(), TinyStories.expectedTokens());
        System.out.printf("4-bit g64: first differing token %d, mean NLL %.6f%n", first, nll);
        assertTrue(first >= 10 && first <= 40, "first differing token " + first + ", measured 20");
        assertEquals(0.604, nll, 0.05, "measured 0.604035");
    }

    /**
     * {@code mlx-q4-g64/}: TinyStories quantized by MLX 0.32.2 itself ({@code mx.quantize}, group size 64, 4 bits,
     * saved with {@code mx.save_safetensors}). jmlx loads it as mlx-lm would, its tensors are byte for byte those of
     * jmlx's own 4-bit g64 conversion (quantized, saved in mlx-lm's layout, loaded again), and the two models
     * generate the same 200 tokens.
     */
    @Test
    void aCheckpointWrittenByMlxLoadsAndGeneratesAsJmlxsOwnConversion(@TempDir Path dir) throws IOException {
        Llama own = Llama.load(checkpoint);
        QuantizationResult done = own.quantize(64, 4);
        Path converted = dir.resolve("tinystories-4bit");
        ModelSaving.save(own, checkpoint.config(), done.defaults(), CheckpointWriter.to(converted));
        try (ModelCheckpoint mlx = ModelCheckpoint.open(TinyStories.directory().resolve("mlx-q4-g64"));
                ModelCheckpoint jmlx = ModelCheckpoint.open(converted)) {
            Llama fromMlx = Llama.load(mlx);
            assertQuantizedAsMlxLm(fromMlx, null);
            assertEquals(new TreeSet<>(jmlx.names()), new TreeSet<>(mlx.names()));
            for (String name : mlx.names()) {
                assertEquals(jmlx.info(name).dtype(), mlx.info(name).dtype(), name);
                assertArrayEquals(jmlx.info(name).shape(), mlx.info(name).shape(), name);
                assertArrayEquals(jmlx.get(name).toBytes(), mlx.get(name).toBytes(), name);
            }
            int[] fromMlxTokens = greedy(fromMlx);
            assertArrayEquals(greedy(Llama.load(jmlx)), fromMlxTokens);
            System.out.printf(
                    "MLX's 4-bit g64 checkpoint: %d tensors equal to jmlx's, the same %d tokens (first differing "
                            + "from float32 at %d)%n",
                    mlx.names().size(), STEPS, firstDifference(TinyStories.expectedTokens(), fromMlxTokens));
        }
    }

    /**
     * Every Linear and the embedding quantized, except the five down projections (172 wide); {@code done}, when
     * given, lists those layers.
     */
    private static void assertQuantizedAsMlxLm(Llama llama, QuantizationResult done) {
        int layers = llama.config().numLayers();
        if (done != null) {
            assertEquals(1 + layers * 6, done.layers().size());
        }
        assertInstanceOf(QuantizedEmbedding.class, llama.module("model.embed_tokens"));
        for (int i = 0; i < layers; i++) {
            assertInstanceOf(QuantizedLinear.class, llama.module("model.layers." + i + ".self_attn.q_proj"));
            assertInstanceOf(QuantizedLinear.class, llama.module("model.layers." + i + ".mlp.up_proj"));
            assertInstanceOf(Linear.class, llama.module("model.layers." + i + ".mlp.down_proj"));
        }
    }
}
