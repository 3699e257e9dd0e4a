package io.jmlx.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face {@code tokenizer.json} with a byte-level BPE model (GPT-2, Llama 3, Qwen, SmolLM, ...), encoding as
 * Hugging Face's tokenizers do: the added tokens ({@code <|begin_of_text|>}, ...) are cut out of the text first; each
 * piece between them is normalized (none, NFC or NFKC), split into words by the pre-tokenizer (the {@code ByteLevel}
 * pre-tokenizer's GPT-2 pattern, {@code Split} patterns such as Llama 3's, {@code Digits}), each word's UTF-8 bytes are written
 * as GPT-2's printable byte characters and merged by BPE (the lowest-ranked adjacent pair first, leftmost on ties);
 * the post-processor's template adds the special tokens (BOS). Decoding maps the byte characters back to bytes.
 *
 * <pre>{@code
 * ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.read(Files.newInputStream(dir.resolve("tokenizer.json")));
 * int[] ids = t.encodePrompt("Hello world");   // e.g. [128000, 9906, 1917] for Llama 3
 * }</pre>
 */
public final class ByteLevelBpeTokenizer implements TextTokenizer {
    /** GPT-2's word pattern, which the {@code ByteLevel} pre-tokenizer applies when {@code use_regex} is true. */
    private static final String GPT2_WORDS =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** GPT-2's printable character for each byte: the printable Latin-1 ones stand for themselves. */
    private static final char[] BYTE_CHAR = new char[256];

    /** The byte each of those characters stands for, -1 for other characters. */
    private static final int[] CHAR_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_CHAR[b] = (char) (printable ? b : next++);
            CHAR_BYTE[BYTE_CHAR[b]] = b;
        }
    }

    /** One step of the pre-tokenizer: cuts each piece of text into smaller ones. */
    private interface Step {
        List<String> apply(String piece);
    }

    private final Map<String, Integer> vocab;
    private final Map<Integer, String> tokens = new HashMap<>();
    private final Map<String, Integer> ranks;
    private final boolean ignoreMerges;
    private final Integer unknown;
    private final List<Normalizer.Form> normalizers;
    private final List<Step> preTokenizer;
    private final List<String> addedByLength;
    private final Map<String, Integer> added;
    private final Map<Integer, String> addedById = new HashMap<>();
    private final int[] prefix;
    private final int[] suffix;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ByteLevelBpeTokenizer(JsonNode root) {
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText(null)) && !(model.has("merges") && model.has("vocab"))) {
            throw new IllegalArgumentException("tokenizer.json: the model is '"
                    + model.path("type").asText("missing") + "', not a byte-level BPE");
        }
        if (model.path("byte_fallback").asBoolean(false)
                || !model.path("continuing_subword_prefix").asText("").isEmpty()
                || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            throw new IllegalArgumentException("tokenizer.json: a BPE with byte_fallback, continuing_subword_prefix or "
                    + "end_of_word_suffix (a SentencePiece-style tokenizer) is not byte-level BPE, which is what this "
                    + "reads");
        }
        vocab = new HashMap<>();
        model.path("vocab")
                .properties()
                .forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        vocab.forEach((token, id) -> tokens.put(id, token));
        ranks = new HashMap<>();
        JsonNode merges = model.path("merges");
        for (int rank = 0; rank < merges.size(); rank++) {
            JsonNode m = merges.get(rank);
            String left;
            String right;
            if (m.isArray() && m.size() == 2) {
                left = m.get(0).asText();
                right = m.get(1).asText();
            } else {
                String[] parts = m.asText().split(" ", -1);
                if (parts.length != 2) {
                    throw new IllegalArgumentException("tokenizer.json: merge " + rank + " is '" + m.asText()
                            + "', not two tokens separated by a space");
                }
                left = parts[0];
                right = parts[1];
            }
            ranks.putIfAbsent(pair(left, right), rank);
        }
        ignoreMerges = model.path("ignore_merges").asBoolean(false);
        JsonNode unk = model.path("unk_token");
        unknown = unk.isTextual() ? vocab.get(unk.asText()) : null;
        normalizers = normalizers(root.path("normalizer"));
        preTokenizer = new ArrayList<>();
        preTokenizer(root.path("pre_tokenizer"), preTokenizer);
        added = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            added.put(t.path("content").asText(), t.path("id").asInt());
            addedById.put(t.path("id").asInt(), t.path("content").asText());
        }
        addedByLength = new ArrayList<>(added.keySet());
        addedByLength.removeIf(String::isEmpty);
        addedByLength.sort(Comparator.comparingInt(String::length).reversed());
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        postProcessor(root.path("post_processor"), before, after);
        prefix = before.stream().mapToInt(Integer::intValue).toArray();
        suffix = after.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Reads a {@code tokenizer.json} whose model is a byte-level BPE.
     *
     * @throws IllegalArgumentException if the model is not a byte-level BPE, or the normalizer, pre-tokenizer or
     *                                  post-processor is of a kind this does not implement (the message names it)
     */
    public static ByteLevelBpeTokenizer read(InputStream json) throws IOException {
        return new ByteLevelBpeTokenizer(new ObjectMapper().readTree(json));
    }

    /** The token ids of {@code text}, without the post-processor's special tokens. */
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        int start = 0;
        int at = 0;
        while (at < text.length()) {
            String token = addedTokenAt(text, at);
            if (token == null) {
                at++;
                continue;
            }
            encodeText(text.substring(start, at), ids);
            ids.add(added.get(token));
            at += token.length();
            start = at;
        }
        encodeText(text.substring(start), ids);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int[] encodePrompt(String prompt) {
        int[] body = encode(prompt);
        int[] ids = new int[prefix.length + body.length + suffix.length];
        System.arraycopy(prefix, 0, ids, 0, prefix.length);
        System.arraycopy(body, 0, ids, prefix.length, body.length);
        System.arraycopy(suffix, 0, ids, prefix.length + body.length, suffix.length);
        return ids;
    }

    @Override
    public byte[] bytes(int previous, int token) {
        String special = addedById.get(token);
        if (special != null && !vocab.containsKey(special)) {
            return special.getBytes(StandardCharsets.UTF_8);
        }
        String piece = tokens.get(token);
        if (piece == null) {
            throw new IllegalArgumentException("token " + token + " is not in the tokenizer's vocabulary");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length());
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            int b = c < CHAR_BYTE.length ? CHAR_BYTE[c] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** The text of {@code ids} (special tokens as their text). */
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(bytes(-1, id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** None: a byte-level BPE's end of text is the model's {@code eos_token_id}. */
    @Override
    public Set<Integer> endOfText() {
        return Set.of();
    }

    // ---------------------------------------------------------------- encoding

    private String addedTokenAt(String text, int at) {
        for (String token : addedByLength) {
            if (text.startsWith(token, at)) {
                return token;
            }
        }
        return null;
    }

    private void encodeText(String text, List<Integer> ids) {
        if (text.isEmpty()) {
            return;
        }
        String normalized = text;
        for (Normalizer.Form form : normalizers) {
            normalized = Normalizer.normalize(normalized, form);
        }
        List<String> pieces = List.of(normalized);
        for (Step step : preTokenizer) {
            List<String> next = new ArrayList<>();
            for (String p : pieces) {
                next.addAll(step.apply(p));
            }
            pieces = next;
        }
        for (String word : pieces) {
            for (int id : cache.computeIfAbsent(byteChars(word), this::merge)) {
                ids.add(id);
            }
        }
    }

    /** The word's UTF-8 bytes written as GPT-2's byte characters. */
    private static String byteChars(String word) {
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            chars[i] = BYTE_CHAR[utf8[i] & 0xFF];
        }
        return new String(chars);
    }

    /** BPE on one word of byte characters: merges the lowest-ranked adjacent pair (leftmost on ties) until none. */
    private int[] merge(String word) {
        if (ignoreMerges && vocab.containsKey(word)) {
            return new int[] {vocab.get(word)};
        }
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            symbols.add(word.substring(i, i + 1));
        }
        while (symbols.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(pair(symbols.get(i), symbols.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        int[] ids = new int[symbols.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(symbols.get(i));
            if (id == null) {
                if (unknown == null) {
                    throw new IllegalArgumentException("tokenizer.json: '" + symbols.get(i)
                            + "' is not in the vocabulary and the model has no unk_token");
                }
                id = unknown;
            }
            ids[i] = id;
        }
        return ids;
    }

    private static String pair(String left, String right) {
        return left + '\u0000' + right;
    }

    // ---------------------------------------------------------------- reading tokenizer.json

    private static List<Normalizer.Form> normalizers(JsonNode n) {
        List<Normalizer.Form> forms = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return forms;
        }
        String type = n.path("type").asText();
        switch (type) {
            case "NFC" -> forms.add(Normalizer.Form.NFC);
            case "NFKC" -> forms.add(Normalizer.Form.NFKC);
            case "NFD" -> forms.add(Normalizer.Form.NFD);
            case "NFKD" -> forms.add(Normalizer.Form.NFKD);
            case "Sequence" -> n.path("normalizers").forEach(inner -> forms.addAll(normalizers(inner)));
            default -> throw unsupported("normalizer", type);
        }
        return forms;
    }

    private static void preTokenizer(JsonNode p, List<Step> steps) {
        if (p.isMissingNode() || p.isNull()) {
            return;
        }
        String type = p.path("type").asText();
        switch (type) {
            case "Sequence" -> p.path("pretokenizers").forEach(inner -> preTokenizer(inner, steps));
            case "ByteLevel" -> {
                boolean prefixSpace = p.path("add_prefix_space").asBoolean(false);
                Pattern words = p.path("use_regex").asBoolean(true) ? unicodePattern(GPT2_WORDS) : null;
                steps.add(piece -> {
                    String s = prefixSpace && !piece.startsWith(" ") ? " " + piece : piece;
                    return words == null ? List.of(s) : split(s, words, false);
                });
            }
            case "Split" -> {
                JsonNode pattern = p.path("pattern");
                Pattern regex = pattern.has("Regex")
                        ? unicodePattern(pattern.get("Regex").asText())
                        : Pattern.compile(Pattern.quote(pattern.path("String").asText()));
                String behavior = p.path("behavior").asText("Isolated");
                if (p.path("invert").asBoolean(false) || !(behavior.equals("Isolated") || behavior.equals("Removed"))) {
                    throw unsupported(
                            "Split pre-tokenizer", behavior + (p.path("invert").asBoolean() ? ", invert" : ""));
                }
                boolean removed = behavior.equals("Removed");
                steps.add(piece -> split(piece, regex, removed));
            }
            case "Digits" -> {
                Pattern digits = Pattern.compile(p.path("individual_digits").asBoolean(false) ? "[0-9]" : "[0-9]+");
                steps.add(piece -> split(piece, digits, false));
            }
            default -> throw unsupported("pre-tokenizer", type);
        }
    }

    /** {@code text} cut at the matches of {@code regex}: the matches (unless removed) and the text between them. */
    private static List<String> split(String text, Pattern regex, boolean removeMatches) {
        List<String> out = new ArrayList<>();
        Matcher m = regex.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (m.start() > last) {
                out.add(text.substring(last, m.start()));
            }
            if (!removeMatches) {
                out.add(m.group());
            }
            last = m.end();
        }
        if (last < text.length()) {
            out.add(text.substring(last));
        }
        return out;
    }

    /** A pattern whose {@code \s}, {@code \w} and {@code \d} are Unicode's, as in the Rust regex engines. */
    private static Pattern unicodePattern(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    private void postProcessor(JsonNode p, List<Integer> before, List<Integer> after) {
        if (p.isMissingNode() || p.isNull()) {
            return;
        }
        String type = p.path("type").asText();
        switch (type) {
            case "ByteLevel" -> {}
            case "Sequence" -> p.path("processors").forEach(inner -> postProcessor(inner, before, after));
            case "TemplateProcessing" -> {
                boolean seenSequence = false;
                for (JsonNode piece : p.path("single")) {
                    if (piece.has("Sequence")) {
                        seenSequence = true;
                        continue;
                    }
                    String name = piece.path("SpecialToken").path("id").asText();
                    JsonNode ids = p.path("special_tokens").path(name).path("ids");
                    List<Integer> target = seenSequence ? after : before;
                    if (ids.isArray() && !ids.isEmpty()) {
                        ids.forEach(id -> target.add(id.asInt()));
                    } else {
                        target.add(tokenId(name));
                    }
                }
            }
            case "RobertaProcessing", "BertProcessing" -> {
                before.add(p.path("cls").path(1).asInt());
                after.add(p.path("sep").path(1).asInt());
            }
            default -> throw unsupported("post-processor", type);
        }
    }

    private int tokenId(String token) {
        Integer id = added.containsKey(token) ? added.get(token) : vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer.json: the post-processor adds '" + token
                    + "', which is neither an added token nor in the vocabulary");
        }
        return id;
    }

    private static IllegalArgumentException unsupported(String what, String type) {
        return new IllegalArgumentException(
                "tokenizer.json: the " + what + " '" + type + "' is not supported (byte-level "
                        + "BPE reads the normalizers NFC, NFKC, NFD, NFKD; the pre-tokenizers ByteLevel, Split and Digits; the "
                        + "post-processors ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing; and Sequences of "
                        + "them)");
    }
}
