package io.jmlx.samples.llama;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
     * tokens a float score, an int length and that many bytes.
     */
    public static Llama2cTokenizer read(InputStream in, int vocabSize, int bosId) throws IOException {
        DataInputStream data = new DataInputStream(in);
        littleEndianInt(data);
        byte[][] pieces = new byte[vocabSize][];
        for (int i = 0; i < vocabSize; i++) {
            data.readInt(); // the score, unused when decoding
            int length = littleEndianInt(data);
            if (length < 0 || length > 1 << 16) {
                throw new IOException("tokenizer.bin: token " + i + " has length " + length);
            }
            pieces[i] = data.readNBytes(length);
            if (pieces[i].length != length) {
                throw new IOException("tokenizer.bin ends inside token " + i + " (truncated?)");
            }
        }
        return new Llama2cTokenizer(pieces, bosId);
    }

    private static int littleEndianInt(DataInputStream in) throws IOException {
        return ByteBuffer.wrap(in.readNBytes(4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
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
