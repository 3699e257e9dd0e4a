package io.jmlx.models.llama;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns TinyStories token ids back into text with llama2.c's {@code tokenizer.bin} (decoding only): a piece after
 * BOS loses its leading space, {@code <0xHH>} pieces are raw bytes, and the bytes are read as UTF-8.
 */
public final class Llama2cTokenizer {
    private static final Pattern RAW_BYTE = Pattern.compile("<0x([0-9A-Fa-f]{2})>");

    private final byte[][] pieces;
    private final int bos;

    private Llama2cTokenizer(byte[][] pieces, int bos) {
        this.pieces = pieces;
        this.bos = bos;
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
        for (int i = 0; i < vocabSize; i++) {
            littleEndianInt(data); // the score, unused when decoding
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
        return new Llama2cTokenizer(pieces.toArray(byte[][]::new), bosId);
    }

    private static int littleEndianInt(DataInputStream in) throws IOException {
        byte[] bytes = in.readNBytes(4);
        if (bytes.length < 4) {
            throw new EOFException("tokenizer.bin ends inside a number (truncated?)");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
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
