package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jmlx.backend.DeviceType;
import io.jmlx.stream.Device;
import io.jmlx.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jmlx generate} on TinyStories-260K: with no prompt it prints llama2.c's reference story and a summary line;
 * a prompt made of the story's beginning continues the story; the checkpoint MLX wrote (4-bit g64) generates what
 * jmlx's own 4-bit g64 conversion generates, since their bytes are equal; a seed repeats a sampled run; {@code --device
 * gpu} runs where a GPU backend is; and a user's mistake gives one line and the right exit code.
 */
class GenerateCommandTest {
    private static final Pattern SUMMARY =
            Pattern.compile("jmlx generate: prompt (\\d+) tokens? \\(\\d+\\.\\d tokens/s\\), generated (\\d+) tokens? "
                    + "\\(\\d+\\.\\d tokens/s\\)( to the end of text)?(, seed \\d+)?, peak memory \\d+(\\.\\d)? [kMG]?B "
                    + "\\((resident|heap and direct)\\)\n");

    @TempDir
    static Path dir;

    static Path stories;
    static JsonNode expected;

    @BeforeAll
    static void model() throws IOException {
        stories = SharedData.tinyStoriesModel().getParent();
        expected = new ObjectMapper().readTree(stories.resolve("expected.json").toFile());
    }

    private static String referenceText() {
        return expected.path("expected_text").asText();
    }

    @Test
    void withoutAPromptItPrintsTheReferenceStoryAndASummary() {
        Cli.Result r = Cli.run("generate", "--model", stories);
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(referenceText() + "\n", r.out());
        assertTrue(SUMMARY.matcher(r.err()).matches(), r.err());
        assertTrue(r.err().startsWith("jmlx generate: prompt 1 token ("), r.err());
        assertTrue(r.err().contains("generated 200 tokens ("), r.err());
    }

    @Test
    void thePromptIsEncodedAndContinued() {
        String full = referenceText();
        String prompt = full.substring(0, full.indexOf(" named Lily"));
        Cli.Result r = Cli.run("generate", "--model", stories, "--prompt", prompt, "--max-tokens", 60);
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(full.startsWith(prompt + r.out().stripTrailing()), r::toString);
        assertTrue(r.out().startsWith(" named Lily. She loved to play"), r::toString);
        assertTrue(r.err().contains("generated 60 tokens"), r.err());
    }

    @Test
    void mlxsOwn4BitCheckpointGeneratesWhatJmlxs4BitConversionGenerates() {
        Path converted = dir.resolve("stories-4bit");
        Cli.Result c = Cli.run("convert", "-i", stories, "-o", converted, "--bits", 4, "--group-size", 64);
        assertEquals(0, c.exitCode(), c::toString);
        assertTrue(Files.exists(converted.resolve("tokenizer.bin")), "convert carries the tokenizer along");
        Cli.Result ours = Cli.run("generate", "--model", converted);
        Path mlx = stories.resolve("mlx-q4-g64");
        Cli.Result theirs = Cli.run("generate", "-m", mlx, "--tokenizer", stories.resolve("tokenizer.bin"));
        assertEquals(0, ours.exitCode(), ours::toString);
        assertEquals(0, theirs.exitCode(), theirs::toString);
        assertEquals(ours.out(), theirs.out());
        assertTrue(ours.out().startsWith("Once upon a time"), ours::toString);
        assertNotEquals(referenceText() + "\n", ours.out(), "4 bits change the story (first at token 20)");
    }

    @Test
    void aSeedRepeatsASampledRun() {
        Object[] args = {"generate", "-m", stories, "-n", 50, "--temperature", 0.9, "--top-p", 0.95, "--seed", 11};
        Cli.Result a = Cli.run(args);
        Cli.Result b = Cli.run(args);
        assertEquals(0, a.exitCode(), a::toString);
        assertEquals(a.out(), b.out());
        assertTrue(a.err().contains(", seed 11, "), a.err());
        assertTrue(SUMMARY.matcher(a.err()).matches(), a.err());
        Cli.Result other = Cli.run("generate", "-m", stories, "-n", 50, "--temperature", 0.9, "--seed", 12);
        assertNotEquals(a.out(), other.out());
    }

    @Test
    void onTheGpuTheFloatStoryIsTheReferenceOrOneLineSaysThereIsNoGpu() {
        Cli.Result r = Cli.run("generate", "-m", stories, "--device", "gpu", "-n", 40);
        if (Device.isAvailable(DeviceType.GPU)) {
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(referenceText().startsWith(r.out().stripTrailing()), r::toString);
            assertTrue(r.err().contains("generated 40 tokens"), r::toString);
        } else {
            assertOneLine(r, 1, "--device gpu: no backend provides device gpu 0");
        }
    }

    @Test
    void mistakesGiveOneLineAndTheirExitCode() throws IOException {
        assertOneLine(Cli.run("generate", "-m", stories, "--max-tokens", -1), 2, "--max-tokens must be 0 or more");
        assertOneLine(Cli.run("generate", "-m", stories, "--top-p", 0), 2, "--top-p must be in (0, 1] but is 0.0");
        assertOneLine(Cli.run("generate", "-m", stories, "-t", "NaN"), 2, "--temperature must be a finite number");
        assertOneLine(
                Cli.run("generate", "-m", stories.resolve("mlx-q4-g64")),
                1,
                "has no tokenizer.json (Hugging Face) or tokenizer.bin (llama2.c); give one with --tokenizer FILE");
        assertOneLine(Cli.run("generate", "-m", dir.resolve("nothing")), 1, "model directory not found");
        Path bert = Files.createDirectories(dir.resolve("bert"));
        Files.writeString(bert.resolve("config.json"), "{\"model_type\": \"bert\"}");
        Cli.write(bert.resolve("model.safetensors"), java.util.Map.of("x", io.jmlx.Array.of(new float[] {1})), null);
        assertOneLine(Cli.run("generate", "-m", bert), 1, "model_type is 'bert', and generate runs llama, mistral");
    }

    private static void assertOneLine(Cli.Result r, int exitCode, String text) {
        assertEquals(exitCode, r.exitCode(), r::toString);
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("jmlx generate: ") && first.contains(text), r::toString);
        if (exitCode == 1) {
            assertEquals(1, r.err().lines().count(), r::toString);
        }
        assertEquals("", r.out());
    }
}
