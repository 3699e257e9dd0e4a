package io.jmlx.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.io.model.ModelCheckpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Generation} on TinyStories-260K: greedy reproduces llama2.c's reference, a stop token ends the text before
 * it, a prompt encoded from the reference's own text continues the reference, sampling repeats with its seed and
 * follows the temperature and top-p distribution; and the tokenizer of the model directory with its stop tokens.
 */
class GenerationTest {
    private static ModelCheckpoint checkpoint;
    private static Llama llama;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void open() throws IOException {
        checkpoint = ModelCheckpoint.open(TinyStories.directory());
        llama = Llama.load(checkpoint);
        tokenizer = TextTokenizer.forModel(TinyStories.directory(), null, checkpoint.config());
    }

    @AfterAll
    static void close() {
        checkpoint.close();
    }

    private static int[] drain(Generation g) {
        List<Integer> tokens = new ArrayList<>();
        g.forEachRemaining(tokens::add);
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The text of {@code tokens} generated after BOS, through the tokenizer's {@code bytes}. */
    private static String text(int[] tokens) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int previous = 1;
        for (int t : tokens) {
            out.writeBytes(tokenizer.bytes(previous, t));
            previous = t;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void greedyReproducesTheReferenceAndCountsItsSteps() {
        int[] expected = TinyStories.expectedTokens();
        Generation g = new Generation(llama, TinyStories.prompt(), expected.length, Sampler.greedy(), Set.of(1, 2));
        assertArrayEquals(expected, drain(g));
        assertFalse(g.stoppedAtEndOfText());
        Generation.Stats s = g.stats();
        assertEquals(1, s.promptTokens());
        assertEquals(expected.length, s.generatedTokens());
        assertEquals(expected.length, s.steps());
        assertTrue(s.prefillNanos() > 0 && s.generationNanos() > 0, s::toString);
        assertEquals((expected.length - 1) / (s.generationNanos() / 1e9), s.generationTokensPerSecond(), 1e-6);
        assertThrows(NoSuchElementException.class, g::next);
    }

    @Test
    void aStopTokenEndsTheTextBeforeIt() {
        int[] expected = TinyStories.expectedTokens();
        int stop = expected[7];
        int at = 0;
        while (expected[at] != stop) {
            at++;
        }
        Generation g = new Generation(llama, TinyStories.prompt(), 100, Sampler.greedy(), Set.of(stop));
        assertArrayEquals(Arrays.copyOf(expected, at), drain(g));
        assertTrue(g.stoppedAtEndOfText());
        assertEquals(at, g.stats().generatedTokens());
        assertEquals(at + 1, g.stats().steps());
    }

    @Test
    void aPromptFromTheReferenceTextContinuesTheReference() {
        int[] expected = TinyStories.expectedTokens();
        int k = 12;
        String prompt = text(Arrays.copyOf(expected, k));
        int[] ids = tokenizer.encodePrompt(prompt);
        int[] withBos = new int[k + 1];
        withBos[0] = 1;
        System.arraycopy(expected, 0, withBos, 1, k);
        assertArrayEquals(withBos, ids, prompt);
        Generation g = new Generation(llama, ids, 20, Sampler.greedy(), Set.of());
        assertArrayEquals(Arrays.copyOfRange(expected, k, k + 20), drain(g));
        assertArrayEquals(new int[] {1}, tokenizer.encodePrompt(""));
        assertEquals(Set.of(1, 2), TextTokenizer.stopTokens(checkpoint.config(), tokenizer));
    }

    @Test
    void samplingRepeatsWithItsSeedAndATinyTopPIsGreedy() {
        int[] prompt = TinyStories.prompt();
        int[] a = drain(new Generation(llama, prompt, 40, new Sampler(1.0f, 1, 7), Set.of()));
        int[] b = drain(new Generation(llama, prompt, 40, new Sampler(1.0f, 1, 7), Set.of()));
        int[] c = drain(new Generation(llama, prompt, 40, new Sampler(1.0f, 1, 8), Set.of()));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed, another story");
        assertNotEquals(
                Arrays.toString(Arrays.copyOf(TinyStories.expectedTokens(), 40)), Arrays.toString(a), "not greedy");
        int[] nucleus = drain(new Generation(llama, prompt, 40, new Sampler(1.0f, 1e-6f, 7), Set.of()));
        assertArrayEquals(Arrays.copyOf(TinyStories.expectedTokens(), 40), nucleus);
    }

    @Test
    void samplesFollowTheTemperedDistributionWithinTopP() {
        float[] logits = {(float) Math.log(0.4), (float) Math.log(0.3), (float) Math.log(0.2), (float) Math.log(0.1)};
        int n = 40_000;
        int[] counts = new int[4];
        Sampler all = new Sampler(1, 1, 42);
        for (int i = 0; i < n; i++) {
            counts[all.sample(logits)]++;
        }
        double[] p = {0.4, 0.3, 0.2, 0.1};
        for (int t = 0; t < 4; t++) {
            assertEquals(p[t], counts[t] / (double) n, 0.01, "token " + t);
        }
        int[] top = new int[4];
        Sampler nucleus = new Sampler(1, 0.65f, 42); // 0.4 + 0.3 reach 0.65: tokens 0 and 1 only, 4 : 3
        for (int i = 0; i < n; i++) {
            top[nucleus.sample(logits)]++;
        }
        assertEquals(0, top[2] + top[3]);
        assertEquals(4 / 7.0, top[0] / (double) n, 0.01);
        int[] cold = new int[4];
        Sampler half = new Sampler(0.5f, 1, 42); // p^2 renormalised: 16 : 9 : 4 : 1
        for (int i = 0; i < n; i++) {
            cold[half.sample(logits)]++;
        }
        assertEquals(16 / 30.0, cold[0] / (double) n, 0.01);
        assertEquals(1 / 30.0, cold[3] / (double) n, 0.005);
    }

    @Test
    void badSettingsAreRefused() {
        assertEquals(
                "the temperature must be a finite number >= 0 but is -1.0",
                assertThrows(IllegalArgumentException.class, () -> new Sampler(-1, 1, 0))
                        .getMessage());
        assertEquals(
                "top-p must be in (0, 1] but is 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Sampler(1, 0, 0))
                        .getMessage());
        assertEquals(
                "generation needs a prompt of at least one token (e.g. BOS).",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> new Generation(llama, new int[0], 1, Sampler.greedy(), Set.of()))
                        .getMessage());
    }

    @Test
    void utf8StreamHoldsBackASplitCharacter() {
        Utf8Stream s = new Utf8Stream();
        byte[] pancake = "🥞".getBytes(StandardCharsets.UTF_8);
        assertEquals("a", s.push(new byte[] {'a', pancake[0]}));
        assertEquals("", s.push(new byte[] {pancake[1], pancake[2]}));
        assertEquals("🥞é", s.push(new byte[] {pancake[3], (byte) 0xC3, (byte) 0xA9}));
        assertEquals("", s.push(new byte[] {(byte) 0xE2}));
        assertEquals("\uFFFD", s.finish());
    }
}
