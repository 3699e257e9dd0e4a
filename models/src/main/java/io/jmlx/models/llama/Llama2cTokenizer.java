package io.jmlx.models.llama;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
     * tokens a float score, an int length and that many bytes. Memory grows with the tokens actually read, never
     * with the sizes the caller or the file claim.
     *
     * @throws IOException              if the file is truncated or a piece length is impossible
     * @throws IllegalArgumentException if {@code vocabSize} is negative
     */
    public static Llama2cTokenizer read(InputStream in, int vocabSize, int bosId) throws IOException {
        if (vocabSize < 0) {
            throw new IllegalArgumentException(
                    "tokenizer.bin: the vocabulary size must not be negative but is " + vocabSize);
        }
        DataInputStream data = new DataInputStream(in);
        littleEndianInt(data);
        List<byte[]> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        for (int i = 0; i < vocabSize; i++) {
            scores.add(Float.intBitsToFloat(littleEndianInt(data)));
            int length = littleEndianInt(data);
            if (length < 0 || length > 1 << 16) {
                throw new IOException("tokenizer.bin: token " + i + " has length " + length);
            }
            byte[] piece = data.readNBytes(length);
            if (piece.length != length) {
                throw new IOException("tokenizer.bin ends inside token " + i + " (truncated?)");
            }
            pieces.add(piece);
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) {
            scoreArray[i] = scores.get(i);
        }
        return new Llama2cTokenizer(pieces.toArray(byte[][]::new), scoreArray, bosId);
    }

    private static int littleEndianInt(DataInputStream in) throws IOException {
        byte[] bytes = in.readNBytes(4);
        if (bytes.length < 4) {
            throw new EOFException("tokenizer.bin ends inside a number (truncated?)");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /**
     * The token ids of {@code text} (without BOS or EOS), as llama2.c's {@code encode}: empty text gives no tokens.
     *
     * @throws IllegalArgumentException if a character the vocabulary lacks needs byte tokens it lacks too
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
                    int byteToken = (b & 0xFF) + BYTE_OFFSET;
                    if (byteToken >= pieces.length) {
                        throw new IllegalArgumentException(
                                "cannot encode U+" + Integer.toHexString(cp).toUpperCase(Locale.ROOT)
                                        + ": neither it nor its byte tokens are in the vocabulary of "
                                        + pieces.length + " tokens");
                    }
                    tokens.add(byteToken);
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

    /**
     * The bytes {@code token} adds to the text when it follows {@code previous}.
     *
     * @throws IllegalArgumentException if {@code token} is not in the vocabulary
     */
    public byte[] piece(int previous, int token) {
        if (token < 0 || token >= pieces.length) {
            throw new IllegalArgumentException(
                    "token " + token + " is not in the vocabulary of " + pieces.length + " tokens");
        }
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

    /**
     * The text of {@code tokens} generated after BOS.
     *
     * @throws IllegalArgumentException if a token is not in the vocabulary
     */
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
