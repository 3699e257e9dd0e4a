package io.jmlx.models.llama;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama2.c's tokenizer ({@code tokenizer.bin}, a SentencePiece BPE vocabulary with merge scores). Encoding works as
 * llama2.c's {@code encode}: a leading space piece, each UTF-8 character as its piece (or its bytes, {@code <0xHH>},
 * when the vocabulary lacks it), then repeatedly the adjacent pair whose merged piece scores highest is merged.
 * Decoding: a piece after BOS loses its leading space, {@code <0xHH>} pieces are raw bytes, and the bytes are read
 * as UTF-8.
 */
public final class Llama2cTokenizer {
    private static final Pattern RAW_BYTE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");

    /** Token ids of the raw bytes {@code <0x00>} … {@code <0xFF>} start here, as in llama2.c's vocabularies. */
    private static final int BYTE_OFFSET = 3;

    private final byte[][] pieces;
    private final float[] scores;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int bos;

    private Llama2cTokenizer(byte[][] pieces, float[] scores, int bos) {
        this.pieces = pieces;
        this.scores = scores;
        this.bos = bos;
        for (int i = pieces.length - 1; i >= 0; i--) {
            ids.put(new String(pieces[i], StandardCharsets.ISO_8859_1), i);
        }
    }

    /**
     * Reads {@code tokenizer.bin}: a little-endian int (the longest piece), then for each of {@code vocabSize}
     * tokens a float score, an int length and that many bytes.
     */
    public static Llama2cTokenizer read(InputStream in, int vocabSize, int bosId) throws IOException {
        DataInputStream data = new DataInputStream(in);
        littleEndianInt(data);
        byte[][] pieces = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            scores[i] = Float.intBitsToFloat(littleEndianInt(data));
            int length = littleEndianInt(data);
            if (length < 0 || length > 1 << 16) {
                throw new IOException("tokenizer.bin: token " + i + " has length " + length);
            }
            pieces[i] = data.readNBytes(length);
            if (pieces[i].length != length) {
                throw new IOException("tokenizer.bin ends inside token " + i + " (truncated?)");
            }
        }
        return new Llama2cTokenizer(pieces, scores, bosId);
    }

    private static int littleEndianInt(DataInputStream in) throws IOException {
        return ByteBuffer.wrap(in.readNBytes(4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /**
     * The token ids of {@code text} (without BOS or EOS), as llama2.c's {@code encode}: empty text gives no tokens.
     */
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        List<Integer> tokens = new ArrayList<>();
        Integer space = ids.get(" ");
        if (space != null) {
            tokens.add(space);
        }
        text.codePoints().forEach(cp -> {
            byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            Integer id = ids.get(new String(utf8, StandardCharsets.ISO_8859_1));
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte b : utf8) {
                    tokens.add((b & 0xFF) + BYTE_OFFSET);
                }
            }
        });
        while (true) {
            float bestScore = Float.NEGATIVE_INFINITY;
            int bestId = -1;
            int bestAt = -1;
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Integer merged = ids.get(key(tokens.get(i)) + key(tokens.get(i + 1)));
                if (merged != null && scores[merged] > bestScore) {
                    bestScore = scores[merged];
                    bestId = merged;
                    bestAt = i;
                }
            }
            if (bestAt < 0) {
                break;
            }
            tokens.set(bestAt, bestId);
            tokens.remove(bestAt + 1);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    private String key(int token) {
        return new String(pieces[token], StandardCharsets.ISO_8859_1);
    }

    /** The bytes {@code token} adds to the text when it follows {@code previous}. */
    public byte[] piece(int previous, int token) {
        String text = new String(pieces[token], StandardCharsets.ISO_8859_1);
        Matcher raw = RAW_BYTE.matcher(text);
        if (raw.matches()) {
            return new byte[] {(byte) Integer.parseInt(raw.group(1), 16)};
        }
        byte[] bytes = pieces[token];
        if (previous == bos && bytes.length > 0 && bytes[0] == ' ') {
            return java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return bytes;
    }

    /** The text of {@code tokens} generated after BOS. */
    public String decode(int[] tokens) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int previous = bos;
        for (int t : tokens) {
            out.writeBytes(piece(previous, t));
            previous = t;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
