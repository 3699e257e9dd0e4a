package io.jmlx.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The tokenizer of a decoder, as generation uses it: a prompt becomes token ids (with the special tokens the model
 * expects, such as BOS), and each generated token becomes bytes of text. Two kinds are read:
 * {@link ByteLevelBpeTokenizer} (a Hugging Face {@code tokenizer.json} with a byte-level BPE model: GPT-2, Llama 3,
 * Qwen, SmolLM, ...) and llama2.c's {@code tokenizer.bin} ({@link Llama2cTokenizer}).
 */
public interface TextTokenizer {
    /** The ids the model reads for {@code prompt}: its tokens with the model's special tokens (BOS) around them. */
    int[] encodePrompt(String prompt);

    /** The bytes {@code token} adds to the text when it follows {@code previous} (UTF-8, possibly a partial character). */
    byte[] bytes(int previous, int token);

    /** Token ids that end a text, by this tokenizer's conventions (none when it has no such convention). */
    Set<Integer> endOfText();

    /**
     * The tokenizer of the model in {@code dir} whose {@code config.json} is {@code config}: {@code file} when it is
     * given (a {@code .json} file is read as {@code tokenizer.json}, anything else as {@code tokenizer.bin}), else
     * the directory's {@code tokenizer.json}, else its {@code tokenizer.bin}. A {@code tokenizer.bin} has the
     * config's {@code vocab_size} tokens and its {@code bos_token_id} (default 1) is BOS.
     *
     * @throws NoSuchFileException      if there is no tokenizer to read (its reason says which files were looked for)
     * @throws IllegalArgumentException if the file is not a tokenizer of a kind this reads
     */
    static TextTokenizer forModel(Path dir, Path file, JsonNode config) throws IOException {
        Path chosen = file;
        if (chosen == null && dir != null) {
            for (String name : new String[] {"tokenizer.json", "tokenizer.bin"}) {
                if (Files.isRegularFile(dir.resolve(name))) {
                    chosen = dir.resolve(name);
                    break;
                }
            }
        }
        if (chosen == null) {
            throw new NoSuchFileException(
                    String.valueOf(dir), null, "no tokenizer.json (Hugging Face) or tokenizer.bin (llama2.c)");
        }
        try (InputStream in = Files.newInputStream(chosen)) {
            if (chosen.getFileName().toString().endsWith(".json")) {
                return ByteLevelBpeTokenizer.read(in);
            }
            int bos = config.path("bos_token_id").asInt(1);
            Llama2cTokenizer t =
                    Llama2cTokenizer.read(in, config.path("vocab_size").asInt(), bos);
            return new Llama2cPrompts(t, bos);
        }
    }

    /**
     * The token ids that end generation for a model: its {@code config.json}'s {@code eos_token_id} (a number or a
     * list) and the tokenizer's end-of-text tokens.
     */
    static Set<Integer> stopTokens(JsonNode config, TextTokenizer tokenizer) {
        Set<Integer> stop = new LinkedHashSet<>(tokenizer.endOfText());
        JsonNode eos = config.path("eos_token_id");
        if (eos.isInt()) {
            stop.add(eos.asInt());
        }
        eos.forEach(id -> stop.add(id.asInt()));
        return stop;
    }
}
