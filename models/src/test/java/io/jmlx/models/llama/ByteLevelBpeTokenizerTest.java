package io.jmlx.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte-level BPE tokenizer against Hugging Face's tokenizers (the Rust library, through DJL) on the same
 * {@code tokenizer.json}: a vocabulary of 400 merges learned here from English, code, numbers and other scripts,
 * written in GPT-2's layout (ByteLevel pre-tokenizer), SmolLM's (single digits, here with NFC and a prefix space)
 * and Llama 3's (a Split pattern, ignore_merges, BOS from a template). Every test text must give the ids the reference gives and decode as the reference decodes (back to
 * itself when nothing normalizes it or adds a space).
 */
class ByteLevelBpeTokenizerTest {
    /** Llama 3's pre-tokenizer pattern, as its tokenizer.json writes it. */
    private static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final List<String> TEXTS = List.of(
            "Once upon a time, there was a little girl named Lily.",
            "  two leading spaces, and three trailing   ",
            "tabs\tand\nnew lines\n\n\nand a carriage\r\nreturn",
            "It's we'll they'RE I'M you'd she'S",
            "numbers 12345 and 3.14159, 1,000,000 and 007",
            "emoji 🥞🦙 and ünïcödé, naïve café, Zoë",
            "中文字符 and 日本語のテキスト, 한국어",
            "non\u00a0breaking\u2003em space\u3000ideographic",
            "code: for (int i = 0; i < n; i++) { sum += x[i]; }",
            "a<|endoftext|>b and <|endoftext|> alone",
            "<|endoftext|>",
            "x",
            " ",
            "\n",
            "e\u0301 composed later (NFC)",
            "Ὀδυσσεύς, Москва, Ελλάδα, עברית, العربية");

    private static String corpus;

    @TempDir
    static Path dir;

    @BeforeAll
    static void corpus() throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(new ObjectMapper()
                .readTree(TinyStories.directory().resolve("expected.json").toFile())
                .path("expected_text")
                .asText());
        for (String t : TEXTS) {
            sb.append('\n').append(t);
        }
        sb.append("\nThe quick brown fox jumps over the lazy dog. It's 2024; numbers like 1234567 appear often.");
        sb.append("\npublic static void main(String[] args) { System.out.println(\"hello\"); }");
        corpus = sb.toString();
    }

    @Test
    void gpt2LayoutGivesTheIdsOfHuggingFaceTokenizers() throws IOException {
        ObjectNode json = trained(corpus, 400);
        json.set("pre_tokenizer", byteLevel(false, true));
        json.set("post_processor", byteLevel(false, true));
        assertSameAsHuggingFace(json, "gpt2");
    }

    @Test
    void digitsPrefixSpaceAndNfcGiveTheIdsOfHuggingFaceTokenizers() throws IOException {
        ObjectNode json = trained(corpus, 400);
        json.set("normalizer", JSON.createObjectNode().put("type", "NFC"));
        ObjectNode sequence = JSON.createObjectNode().put("type", "Sequence");
        sequence.putArray("pretokenizers")
                .add(JSON.createObjectNode().put("type", "Digits").put("individual_digits", true))
                .add(byteLevel(true, true));
        json.set("pre_tokenizer", sequence);
        assertSameAsHuggingFace(json, "prefix-space");
    }

    @Test
    void llama3LayoutGivesTheIdsOfHuggingFaceTokenizers() throws IOException {
        ObjectNode json = trained(corpus, 400);
        ((ObjectNode) json.get("model")).put("ignore_merges", true);
        ObjectNode split = JSON.createObjectNode().put("type", "Split");
        split.putObject("pattern").put("Regex", LLAMA3_SPLIT);
        split.put("behavior", "Isolated").put("invert", false);
        ObjectNode sequence = JSON.createObjectNode().put("type", "Sequence");
        sequence.putArray("pretokenizers").add(split).add(byteLevel(false, false));
        json.set("pre_tokenizer", sequence);
        ObjectNode template = JSON.createObjectNode().put("type", "TemplateProcessing");
        template.putArray("single")
                .add(JSON.createObjectNode().set("SpecialToken", idOf("<|begin_of_text|>")))
                .add(JSON.createObjectNode().set("Sequence", idOf("A")));
        template.putArray("pair").add(JSON.createObjectNode().set("Sequence", idOf("A")));
        ObjectNode special = template.putObject("special_tokens").putObject("<|begin_of_text|>");
        special.put("id", "<|begin_of_text|>");
        special.putArray("ids").add(json.get("model").get("vocab").size() + 1);
        special.putArray("tokens").add("<|begin_of_text|>");
        ObjectNode post = JSON.createObjectNode().put("type", "Sequence");
        post.putArray("processors").add(byteLevel(false, true)).add(template);
        json.set("post_processor", post);
        ByteLevelBpeTokenizer ours = assertSameAsHuggingFace(json, "llama3");
        int bos = json.get("model").get("vocab").size() + 1;
        assertEquals(bos, ours.encodePrompt("")[0]);
        assertEquals(1, ours.encodePrompt("").length);
    }

    @Test
    void aModelDirectoryPrefersItsTokenizerJson() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        JsonNode config =
                JSON.readTree(TinyStories.directory().resolve("config.json").toFile());
        NoSuchFileException none =
                assertThrows(NoSuchFileException.class, () -> TextTokenizer.forModel(model, null, config));
        assertEquals("no tokenizer.json (Hugging Face) or tokenizer.bin (llama2.c)", none.getReason());
        Files.copy(TinyStories.directory().resolve("tokenizer.bin"), model.resolve("tokenizer.bin"));
        assertInstanceOf(Llama2cPrompts.class, TextTokenizer.forModel(model, null, config));
        JSON.writeValue(model.resolve("tokenizer.json").toFile(), trained(corpus, 10));
        assertInstanceOf(ByteLevelBpeTokenizer.class, TextTokenizer.forModel(model, null, config));
        assertInstanceOf(Llama2cPrompts.class, TextTokenizer.forModel(model, model.resolve("tokenizer.bin"), config));
    }

    @Test
    void otherTokenizerKindsAreRefusedByName() throws IOException {
        ObjectNode json = trained("ab ab", 1);
        ((ObjectNode) json.get("model")).put("byte_fallback", true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(json));
        assertTrue(e.getMessage().contains("SentencePiece-style"), e.getMessage());
        ObjectNode metaspace = trained("ab ab", 1);
        metaspace.set("pre_tokenizer", JSON.createObjectNode().put("type", "Metaspace"));
        e = assertThrows(IllegalArgumentException.class, () -> read(metaspace));
        assertTrue(e.getMessage().startsWith("tokenizer.json: the pre-tokenizer 'Metaspace' is not supported"));
        ObjectNode wordPiece = JSON.createObjectNode();
        wordPiece.putObject("model").put("type", "WordPiece").putObject("vocab");
        e = assertThrows(IllegalArgumentException.class, () -> read(wordPiece));
        assertEquals("tokenizer.json: the model is 'WordPiece', not a byte-level BPE", e.getMessage());
    }

    // ---------------------------------------------------------------- the reference

    private static ByteLevelBpeTokenizer assertSameAsHuggingFace(ObjectNode json, String name) throws IOException {
        Path file = dir.resolve(name + ".json");
        JSON.writeValue(file.toFile(), json);
        ByteLevelBpeTokenizer ours;
        try (InputStream in = Files.newInputStream(file)) {
            ours = ByteLevelBpeTokenizer.read(in);
        }
        List<String> texts = new ArrayList<>(TEXTS);
        texts.addAll(Arrays.asList(corpus.split("\n")));
        int merged = 0;
        boolean plain = json.path("normalizer").isNull()
                && !json.path("pre_tokenizer").path("add_prefix_space").asBoolean();
        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(true)
                .optPadding(false)
                .optTruncation(false)
                .build()) {
            for (String text : texts) {
                long[] expected = reference.encode(text).getIds();
                int[] actual = ours.encodePrompt(text);
                assertArrayEquals(
                        Arrays.stream(expected).mapToInt(Math::toIntExact).toArray(),
                        actual,
                        () -> name + ": '" + text + "'");
                merged += actual.length < text.getBytes(StandardCharsets.UTF_8).length ? 1 : 0;
                String decoded = ours.decode(ours.encode(text));
                assertEquals(
                        reference.decode(reference.encode(text, false, false).getIds(), false), decoded, name);
                if (plain) {
                    assertEquals(text, decoded, name);
                }
            }
        }
        assertTrue(merged > texts.size() / 2, "the merges shorten most texts: " + merged + " of " + texts.size());
        return ours;
    }

    // ---------------------------------------------------------------- a small BPE, trained here

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ByteLevelBpeTokenizer read(ObjectNode json) throws IOException {
        return ByteLevelBpeTokenizer.read(new ByteArrayInputStream(JSON.writeValueAsBytes(json)));
    }

    private static ObjectNode idOf(String id) {
        return JSON.createObjectNode().put("id", id).put("type_id", 0);
    }

    private static ObjectNode byteLevel(boolean prefixSpace, boolean regex) {
        return JSON.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", prefixSpace)
                .put("trim_offsets", true)
                .put("use_regex", regex);
    }

    /** GPT-2's byte characters: printable Latin-1 bytes stand for themselves, the others for 256, 257, ... */
    private static char[] byteChars() {
        char[] chars = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean keep = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            chars[b] = (char) (keep ? b : next++);
        }
        return chars;
    }

    /**
     * A tokenizer.json with a BPE trained on {@code text}: the 256 byte characters, then {@code merges} times the
     * most frequent adjacent pair within GPT-2's words (ties: the smallest pair) merged; added tokens
     * {@code <|endoftext|>} and {@code <|begin_of_text|>} after the vocabulary.
     */
    private static ObjectNode trained(String text, int merges) {
        char[] byteChar = byteChars();
        Map<List<String>, Integer> words = new HashMap<>();
        Matcher m = Pattern.compile(
                        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                        Pattern.UNICODE_CHARACTER_CLASS)
                .matcher(text);
        while (m.find()) {
            List<String> symbols = new ArrayList<>();
            for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
                symbols.add(String.valueOf(byteChar[b & 0xFF]));
            }
            words.merge(symbols, 1, Integer::sum);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (char c : byteChar) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        ArrayNode mergeList = JSON.createArrayNode();
        for (int i = 0; i < merges; i++) {
            TreeMap<String, Integer> counts = new TreeMap<>();
            words.forEach((w, n) -> {
                for (int j = 0; j + 1 < w.size(); j++) {
                    counts.merge(w.get(j) + " " + w.get(j + 1), n, Integer::sum);
                }
            });
            String best = null;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                if (best == null || e.getValue() > counts.get(best)) {
                    best = e.getKey();
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split(" ");
            mergeList.add(best);
            vocab.putIfAbsent(pair[0] + pair[1], vocab.size());
            Map<List<String>, Integer> next = new HashMap<>();
            words.forEach((w, n) -> {
                List<String> merged = new ArrayList<>();
                for (int j = 0; j < w.size(); j++) {
                    if (j + 1 < w.size()
                            && w.get(j).equals(pair[0])
                            && w.get(j + 1).equals(pair[1])) {
                        merged.add(pair[0] + pair[1]);
                        j++;
                    } else {
                        merged.add(w.get(j));
                    }
                }
                next.merge(merged, n, Integer::sum);
            });
            words = next;
        }
        ObjectNode json = JSON.createObjectNode().put("version", "1.0");
        ArrayNode added = json.putArray("added_tokens");
        int id = vocab.size();
        for (String special : List.of("<|endoftext|>", "<|begin_of_text|>")) {
            added.addObject()
                    .put("id", id++)
                    .put("content", special)
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        json.putNull("normalizer");
        json.set("pre_tokenizer", byteLevel(false, true));
        json.putNull("post_processor");
        json.set("decoder", byteLevel(true, true));
        ObjectNode model = json.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token");
        model.putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
        model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        model.set("merges", mergeList);
        return json;
    }
}
