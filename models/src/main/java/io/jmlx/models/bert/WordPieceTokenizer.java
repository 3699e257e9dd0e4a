package io.jmlx.models.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BERT's tokenizer as a Hugging Face {@code tokenizer.json} describes it: the BERT normalizer (clean text, spaces
 * around CJK ideographs, accents stripped, lower case), the BERT pre-tokenizer (split on whitespace and
 * punctuation), greedy longest-match WordPiece with {@code ##} continuations, then {@code [CLS] … [SEP]} and
 * truncation to the maximum length. Gives the ids Hugging Face's tokenizers give.
 *
 * <pre>{@code
 * WordPieceTokenizer t = WordPieceTokenizer.read(stream, 512);
 * int[] ids = t.encode("Hello, world!");   // [101, 7592, 1010, 2088, 999, 102]
 * }</pre>
 */
public final class WordPieceTokenizer {
    private final Map<String, Integer> vocab;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final boolean cleanText;
    private final boolean chineseChars;
    private final String continuation;
    private final int maxCharsPerWord;
    private final int unk;
    private final int cls;
    private final int sep;
    private final int maxLength;

    private WordPieceTokenizer(Map<String, Integer> vocab, JsonNode normalizer, JsonNode model, int maxLength) {
        this.vocab = vocab;
        this.lowercase = normalizer.path("lowercase").asBoolean(true);
        JsonNode strip = normalizer.path("strip_accents");
        this.stripAccents = strip.isNull() || strip.isMissingNode() ? lowercase : strip.asBoolean();
        this.cleanText = normalizer.path("clean_text").asBoolean(true);
        this.chineseChars = normalizer.path("handle_chinese_chars").asBoolean(true);
        this.continuation = model.path("continuing_subword_prefix").asText("##");
        this.maxCharsPerWord = model.path("max_input_chars_per_word").asInt(100);
        this.unk = id(model.path("unk_token").asText("[UNK]"));
        this.cls = id("[CLS]");
        this.sep = id("[SEP]");
        this.maxLength = maxLength;
    }

    /**
     * Reads a {@code tokenizer.json} with a WordPiece model and a BERT normalizer.
     *
     * @param maxLength the longest encoding, special tokens included: the file's truncation length when it has one
     *                  and it is shorter, else this (the model's number of positions); at least 2
     * @throws IOException              if the file is not JSON
     * @throws IllegalArgumentException if the file does not describe a WordPiece tokenizer (with ids that are
     *                                  non-negative integers and a truncation length of at least 2), or
     *                                  {@code maxLength} is below 2
     */
    public static WordPieceTokenizer read(InputStream json, int maxLength) throws IOException {
        if (maxLength < 2) {
            throw new IllegalArgumentException(
                    "The longest encoding must leave room for [CLS] and [SEP] (2 tokens) but is " + maxLength);
        }
        JsonNode root = new ObjectMapper().readTree(json);
        JsonNode model = root.path("model");
        if (!"WordPiece".equals(model.path("type").asText())) {
            throw new IllegalArgumentException(
                    "tokenizer.json: the model is '" + model.path("type").asText() + "', not WordPiece");
        }
        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab").properties().forEach(e -> {
            JsonNode id = e.getValue();
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw new IllegalArgumentException(
                        "tokenizer.json: the id of \"" + e.getKey() + "\" must be a non-negative integer but is " + id);
            }
            vocab.put(e.getKey(), id.intValue());
        });
        int length = maxLength;
        JsonNode truncation = root.path("truncation").path("max_length");
        if (!truncation.isMissingNode() && !truncation.isNull()) {
            if (!truncation.isIntegralNumber() || !truncation.canConvertToInt() || truncation.intValue() < 2) {
                throw new IllegalArgumentException(
                        "tokenizer.json: truncation.max_length must be an integer of at least 2 but is " + truncation);
            }
            length = Math.min(length, truncation.intValue());
        }
        return new WordPieceTokenizer(vocab, root.path("normalizer"), model, length);
    }

    /** The longest encoding this tokenizer returns, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /** {@code [CLS]}, the word pieces of {@code text} (truncated to fit), {@code [SEP]}. */
    public int[] encode(String text) {
        List<Integer> pieces = new ArrayList<>();
        for (String word : preTokenize(normalize(text))) {
            wordPieces(word, pieces);
            if (pieces.size() >= maxLength - 2) {
                break;
            }
        }
        int n = Math.min(pieces.size(), maxLength - 2);
        int[] ids = new int[n + 2];
        ids[0] = cls;
        for (int i = 0; i < n; i++) {
            ids[i + 1] = pieces.get(i);
        }
        ids[n + 1] = sep;
        return ids;
    }

    /** The normalizer: control characters dropped, whitespace to spaces, CJK spaced, accents, lower case. */
    String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (cleanText) {
                if (c == 0 || c == 0xFFFD || isControl(c)) {
                    return;
                }
                if (isWhitespace(c)) {
                    sb.append(' ');
                    return;
                }
            }
            if (chineseChars && isChinese(c)) {
                sb.append(' ').appendCodePoint(c).append(' ');
            } else {
                sb.appendCodePoint(c);
            }
        });
        String s = sb.toString();
        if (stripAccents) {
            StringBuilder stripped = new StringBuilder(s.length());
            Normalizer.normalize(s, Normalizer.Form.NFD)
                    .codePoints()
                    .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
                    .forEach(stripped::appendCodePoint);
            s = stripped.toString();
        }
        return lowercase ? s.toLowerCase(Locale.ROOT) : s;
    }

    /** The pre-tokenizer: words split on whitespace, each punctuation character a word of its own. */
    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (isWhitespace(c) || isPunctuation(c)) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
                if (isPunctuation(c)) {
                    words.add(new String(Character.toChars(c)));
                }
            } else {
                word.appendCodePoint(c);
            }
        });
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }

    /** Greedy longest-match-first pieces of one word, or {@code [UNK]} when some part matches nothing. */
    private void wordPieces(String word, List<Integer> out) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > maxCharsPerWord) {
            out.add(unk);
            return;
        }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < cps.length) {
            Integer found = null;
            int end = cps.length;
            for (; end > start; end--) {
                String piece = (start > 0 ? continuation : "") + new String(cps, start, end - start);
                found = vocab.get(piece);
                if (found != null) {
                    break;
                }
            }
            if (found == null) {
                out.add(unk);
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces);
    }

    private int id(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer.json: the vocabulary has no " + token);
        }
        return id;
    }

    private static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int t = Character.getType(c);
        return t == Character.CONTROL
                || t == Character.FORMAT
                || t == Character.SURROGATE
                || t == Character.PRIVATE_USE
                || t == Character.UNASSIGNED;
    }

    private static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
