package io.jmlx.samples.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TinyStories-260K test model in the project's shared data ({@code ../shared/models/tinystories-260k}, found by
 * walking up from the working directory) and its greedy reference, {@code expected.json}.
 */
final class TinyStories {
    private static final String FOLDER = "shared/models/tinystories-260k";

    private TinyStories() {}

    /** The model directory; fails the test with a clear message when it cannot be found. */
    static Path directory() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(FOLDER);
            if (Files.isRegularFile(candidate.resolve("model.safetensors"))) {
                return candidate;
            }
        }
        throw new AssertionError("Cannot find the TinyStories test model: no " + FOLDER + "/model.safetensors in "
                + start + " or any folder above it. The tests expect the shared data at ../shared from the "
                + "repository root.");
    }

    /** The prompt of the reference run (BOS). */
    static int[] prompt() {
        return ints(expected().path("generation").path("prompt_token_ids"));
    }

    /** The 200 greedy tokens of the reference run. */
    static int[] expectedTokens() {
        return ints(expected().path("expected_token_ids"));
    }

    /** The float32 teacher-forced mean NLL of the reference tokens. */
    static double referenceNll() {
        return expected().path("reference_nll").path("value").asDouble();
    }

    private static JsonNode expected() {
        Path file = directory().resolve("expected.json");
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int[] ints(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            throw new AssertionError("expected.json lacks a token list where one was expected: " + array);
        }
        int[] v = new int[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asInt();
        }
        return v;
    }
}
