package io.jmlx.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.models.llama.Generation;
import io.jmlx.models.llama.Llama;
import io.jmlx.models.llama.LlamaConfig;
import io.jmlx.models.llama.Sampler;
import io.jmlx.models.llama.TextTokenizer;
import io.jmlx.models.llama.Utf8Stream;
import io.jmlx.stream.Stream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jmlx generate}: text from a Llama-family model directory (dense or quantized, any mode, per-layer settings),
 * as mlx-lm's {@code generate}: the tokens go to stdout as they are generated, then one summary line to stderr
 * (prompt and generated tokens, tokens per second of the prefill and of the generation, peak memory).
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        header = "Generate text with a Llama-family model (a float or quantized model directory).",
        versionProvider = JmlxCommand.Version.class,
        description = {
            "Loads the model of a directory (config.json with model_type llama or mistral, model*.safetensors; dense "
                    + "or quantized by jmlx convert or mlx-lm, any mode, per-layer settings) and its tokenizer "
                    + "(tokenizer.json: Hugging Face byte-level BPE; or llama2.c's tokenizer.bin), reads the prompt "
                    + "(with BOS as the tokenizer adds it) and generates up to --max-tokens tokens, greedily by "
                    + "default, stopping early at the model's end of text (eos_token_id). The text goes to stdout as "
                    + "it is generated; a summary line (tokens, tokens per second for prefill and generation, peak "
                    + "memory) goes to stderr."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx generate --model ../shared/models/tinystories-260k",
            "  jmlx generate --model Llama-3.2-1B-4bit --prompt 'The capital of France is' --max-tokens 20",
            "  jmlx generate -m stories-4bit -p 'Once upon a time' --temperature 0.8 --top-p 0.9 --seed 42"
        })
public final class GenerateCommand extends JmlxSubcommand {
    @Option(
            names = {"-m", "--model"},
            required = true,
            paramLabel = "DIR",
            description = "The model directory (config.json and model*.safetensors).")
    Path model;

    @Option(
            names = {"-p", "--prompt"},
            defaultValue = "",
            paramLabel = "TEXT",
            description = "The text to continue (default: none, the model starts from BOS).")
    String prompt;

    @Option(
            names = {"-n", "--max-tokens"},
            defaultValue = "200",
            paramLabel = "N",
            description = "The most tokens to generate (default: ${DEFAULT-VALUE}, the length of llama2.c's reference "
                    + "story).")
    int maxTokens;

    @Option(
            names = {"-t", "--temperature", "--temp"},
            defaultValue = "0",
            paramLabel = "T",
            description = "Sampling temperature; 0 (the default) takes the most likely token each time (greedy).")
    float temperature;

    @Option(
            names = "--top-p",
            defaultValue = "1",
            paramLabel = "P",
            description = "Sample only from the most likely tokens whose probabilities add up to P (nucleus "
                    + "sampling; default: ${DEFAULT-VALUE}, all tokens). Needs a temperature above 0.")
    float topP;

    @Option(
            names = {"-s", "--seed"},
            paramLabel = "SEED",
            description = "Seed of the sampler's random numbers, to repeat a sampled run (default: a random one, "
                    + "printed in the summary).")
    Long seed;

    @Option(
            names = "--tokenizer",
            paramLabel = "FILE",
            description = "The tokenizer, when the model directory has none: a tokenizer.json (Hugging Face "
                    + "byte-level BPE) or a llama2.c tokenizer.bin.")
    Path tokenizerFile;

    @Mixin
    DeviceOption device;

    @Override
    int execute(PrintWriter out) throws IOException {
        Sampler sampler = sampler();
        if (maxTokens < 0) {
            throw CommandFailure.usage("--max-tokens must be 0 or more but is " + maxTokens);
        }
        if (!Files.isDirectory(model)) {
            throw CommandFailure.failed(
                    Files.exists(model)
                            ? "--model " + model + " is a file; give the model's directory"
                            : "model directory not found: " + model,
                    null);
        }
        PeakMemory memory = new PeakMemory();
        try (Stream.Scope scope = device.use();
                ModelCheckpoint checkpoint = ModelCheckpoint.open(model)) {
            ObjectNode config = checkpoint.config();
            if (!LlamaConfig.isLlamaFamily(config)) {
                throw CommandFailure.failed(
                        model + " is not a model generate runs: its config.json's model_type is '"
                                + config.path("model_type").asText("") + "', and generate runs "
                                + String.join(", ", LlamaConfig.MODEL_TYPES),
                        null);
            }
            Llama llama = load(checkpoint);
            TextTokenizer tokenizer = tokenizer(config);
            int[] ids = encode(tokenizer);
            Generation generation =
                    new Generation(llama, ids, maxTokens, sampler, TextTokenizer.stopTokens(config, tokenizer));
            Utf8Stream text = new Utf8Stream();
            int previous = ids[ids.length - 1];
            while (generation.hasNext()) {
                int token = generation.next();
                out.print(text.push(tokenizer.bytes(previous, token)));
                out.flush();
                previous = token;
                memory.sample();
            }
            out.println(text.finish());
            out.flush();
            spec.commandLine().getErr().println(summary(generation, sampler, memory));
            return JmlxCommand.EXIT_OK;
        }
    }

    private Sampler sampler() {
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 31);
        try {
            return new Sampler(temperature, topP, s);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(
                    e.getMessage().replace("the temperature", "--temperature").replace("top-p", "--top-p"));
        }
    }

    private Llama load(ModelCheckpoint checkpoint) {
        try {
            return Llama.load(checkpoint);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("cannot load " + model + ": " + e.getMessage(), e);
        }
    }

    private TextTokenizer tokenizer(ObjectNode config) throws IOException {
        try {
            return TextTokenizer.forModel(model, tokenizerFile, config);
        } catch (NoSuchFileException e) {
            if (tokenizerFile != null) {
                throw e;
            }
            throw CommandFailure.failed(model + " has " + e.getReason() + "; give one with --tokenizer FILE", e);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("cannot read the tokenizer: " + e.getMessage(), e);
        }
    }

    private int[] encode(TextTokenizer tokenizer) {
        int[] ids;
        try {
            ids = tokenizer.encodePrompt(prompt);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("cannot encode the prompt: " + e.getMessage(), e);
        }
        if (ids.length == 0) {
            throw CommandFailure.usage("the prompt is empty and this tokenizer adds no BOS: give --prompt TEXT");
        }
        return ids;
    }

    /** {@code prompt 1 token (512.3 tokens/s), generated 200 tokens (412.9 tokens/s), peak memory 95.1 MB}. */
    private static String summary(Generation generation, Sampler sampler, PeakMemory memory) {
        Generation.Stats s = generation.stats();
        StringBuilder line = new StringBuilder("jmlx generate: prompt ")
                .append(count(s.promptTokens()))
                .append(rate(s.prefillTokensPerSecond()))
                .append(", generated ")
                .append(count(s.generatedTokens()))
                .append(rate(s.generationTokensPerSecond()));
        if (generation.stoppedAtEndOfText()) {
            line.append(" to the end of text");
        }
        if (!sampler.isGreedy()) {
            line.append(", seed ").append(sampler.seed());
        }
        return line.append(", ").append(memory.describe()).toString();
    }

    private static String count(int tokens) {
        return tokens + (tokens == 1 ? " token" : " tokens");
    }

    private static String rate(double tokensPerSecond) {
        return Double.isNaN(tokensPerSecond) ? "" : String.format(Locale.ROOT, " (%.1f tokens/s)", tokensPerSecond);
    }
}
