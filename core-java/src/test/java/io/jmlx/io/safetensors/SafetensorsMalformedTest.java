package io.jmlx.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed files, each written byte by byte to a temporary file: the reader must refuse every one with a
 * {@link SafetensorsFormatException} that names the file and the problem (never crash, hang or return garbage).
 */
@Timeout(30)
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    private int counter;

    /** A file of the 8-byte length, the header text as given, and {@code dataBytes} zero bytes. */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return file(json.length, json, dataBytes);
    }

    private Path file(long declaredLength, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        return raw(b.array());
    }

    private Path raw(byte[] bytes) throws IOException {
        Path p = dir.resolve("bad" + (counter++) + ".safetensors");
        Files.write(p, bytes);
        return p;
    }

    /** Asserts the file is refused with a message naming it and containing every fragment (case-insensitive). */
    private static SafetensorsFormatException assertRefused(Path p, String... fragments) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(p));
        String message = e.getMessage();
        assertTrue(message.startsWith(p.toString()), message);
        assertEquals(p, e.file());
        for (String fragment : fragments) {
            assertTrue(
                    message.toLowerCase(Locale.ROOT).contains(fragment.toLowerCase(Locale.ROOT)),
                    "'" + message + "' should mention '" + fragment + "'");
        }
        assertTrue(!message.contains("\n"), "one line: " + message);
        return e;
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets
                + "}";
    }

    @Test
    void aValidHandMadeFileOpens() throws IOException {
        Path p = file("{" + entry("a", "F32", "[2]", "[0,8]") + "}", 8);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("a"), f.names());
        }
    }

    @Test
    void emptyFile() throws IOException {
        assertRefused(raw(new byte[0]), "0 bytes", "8-byte");
    }

    @Test
    void fileShorterThanEightBytes() throws IOException {
        assertRefused(raw(new byte[] {2, 0, 0, 0, 0}), "5 bytes", "8-byte");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        assertRefused(file(1000, header, 0), "header length 1000", "end of the file");
    }

    @Test
    void headerLengthOverOneHundredMegabytes() throws IOException {
        assertRefused(file(200_000_000L, "{}".getBytes(StandardCharsets.UTF_8), 0), "200000000", "100000000");
    }

    @Test
    void headerLengthWithTheTopBitSet() throws IOException {
        assertRefused(file(-1L, "{}".getBytes(StandardCharsets.UTF_8), 0), "18446744073709551615");
    }

    @Test
    void invalidJson() throws IOException {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\",", 0), "not valid JSON");
        assertRefused(file("not json at all", 0), "not valid JSON");
        assertRefused(file("{\"a\" 1}", 0), "not valid JSON");
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertRefused(file(header.length, header, 0), "JSON");
    }

    @Test
    void emptyHeader() throws IOException {
        assertRefused(file("", 0), "not a JSON object", "empty");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        assertRefused(file("[1, 2, 3]", 0), "not a JSON object", "array");
        assertRefused(file("\"text\"", 0), "not a JSON object", "string");
        assertRefused(file("null", 0), "not a JSON object");
    }

    @Test
    void trailingGarbageAfterTheHeaderObject() throws IOException {
        assertRefused(file("{} {}", 0), "not valid JSON");
        assertRefused(file("{}\0\0\0", 0), "not valid JSON");
    }

    @Test
    void spacePaddingAfterTheHeaderIsFine() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file("{}      ", 0))) {
            assertTrue(f.names().isEmpty());
        }
    }

    @Test
    void aTensorNamedTwice() throws IOException {
        assertRefused(
                file("{" + entry("a", "U8", "[1]", "[0,1]") + "," + entry("a", "U8", "[1]", "[1,2]") + "}", 2),
                "duplicate",
                "'a'");
    }

    @Test
    void entryThatIsNotAnObject() throws IOException {
        assertRefused(file("{\"a\": [1, 2]}", 0), "tensor 'a'", "must be a JSON object");
    }

    @Test
    void entryMissingDtype() throws IOException {
        assertRefused(file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'a'", "no \"dtype\"");
    }

    @Test
    void entryMissingShape() throws IOException {
        assertRefused(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 'a'", "no \"shape\"");
    }

    @Test
    void entryMissingDataOffsets() throws IOException {
        assertRefused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'a'", "no \"data_offsets\"");
    }

    @Test
    void dtypeOfTheWrongJsonType() throws IOException {
        assertRefused(file("{\"a\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "dtype must be a string");
    }

    @Test
    void shapeOfTheWrongJsonType() throws IOException {
        assertRefused(
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4),
                "shape must be an array of integers");
        assertRefused(file("{" + entry("a", "F32", "[1.5]", "[0,4]") + "}", 4), "shape must be an array of integers");
        assertRefused(file("{" + entry("a", "F32", "[\"1\"]", "[0,4]") + "}", 4), "shape must be an array of integers");
        assertRefused(file("{" + entry("a", "F32", "[3000000000]", "[0,4]") + "}", 4), "larger than");
    }

    @Test
    void dataOffsetsOfTheWrongJsonType() throws IOException {
        assertRefused(file("{" + entry("a", "F32", "[1]", "[0]") + "}", 4), "data_offsets must be an array of two");
        assertRefused(file("{" + entry("a", "F32", "[1]", "[0,4,8]") + "}", 8), "data_offsets must be an array of two");
        assertRefused(
                file("{" + entry("a", "F32", "[1]", "[\"0\",\"4\"]") + "}", 4), "data_offsets must be an array of two");
        assertRefused(
                file("{" + entry("a", "F32", "[1]", "{\"b\":0}") + "}", 4), "data_offsets must be an array of two");
        assertRefused(file("{" + entry("a", "F32", "[1]", "[0,4.0]") + "}", 4), "data_offsets must be an array of two");
    }

    @Test
    void unknownDtype() throws IOException {
        assertRefused(file("{" + entry("a", "F128", "[1]", "[0,16]") + "}", 16), "tensor 'a'", "F128", "BF16");
    }

    @Test
    void negativeDimension() throws IOException {
        assertRefused(file("{" + entry("a", "F32", "[-1,4]", "[0,16]") + "}", 16), "tensor 'a'", "negative dimension");
    }

    @Test
    void shapeTimesDtypeSizeDiffersFromTheByteRange() throws IOException {
        assertRefused(
                file("{" + entry("a", "F32", "[2,3]", "[0,20]") + "}", 24), "tensor 'a'", "needs 24 bytes", "hold 20");
    }

    @Test
    void shapeWhoseByteSizeOverflows() throws IOException {
        assertRefused(
                file("{" + entry("a", "F64", "[2147483647,2147483647,2147483647]", "[0,8]") + "}", 8),
                "tensor 'a'",
                "more bytes");
    }

    @Test
    void beginAfterEnd() throws IOException {
        assertRefused(file("{" + entry("a", "U8", "[0]", "[8,4]") + "}", 8), "tensor 'a'", "begin after they end");
    }

    @Test
    void negativeOffsets() throws IOException {
        assertRefused(file("{" + entry("a", "U8", "[4]", "[-4,0]") + "}", 8), "tensor 'a'", "negative");
    }

    @Test
    void offsetsBeyondTheDataBuffer() throws IOException {
        assertRefused(
                file("{" + entry("a", "F32", "[4]", "[0,16]") + "}", 12),
                "tensor 'a'",
                "beyond the data buffer",
                "12 bytes");
        assertRefused(
                file("{" + entry("a", "U8", "[1]", "[99999999999999999999,99999999999999999999]") + "}", 4),
                "tensor 'a'",
                "beyond the data buffer");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertRefused(
                file("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]") + "}", 12),
                "'a'",
                "'b'",
                "overlap");
    }

    @Test
    void aTensorInsideAnother() throws IOException {
        assertRefused(
                file(
                        "{" + entry("big", "U8", "[16]", "[0,16]") + "," + entry("small", "U8", "[2]", "[4,6]") + ","
                                + entry("last", "U8", "[2]", "[16,18]") + "}",
                        18),
                "'big'",
                "'small'",
                "overlap");
    }

    @Test
    void gapsBetweenTensorsAreAllowed() throws IOException {
        Path p = file("{" + entry("b", "U8", "[2]", "[10,12]") + "," + entry("a", "U8", "[2]", "[2,4]") + "}", 16);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("a", "b"), f.names());
            assertEquals(2, f.get("b").nbytes());
        }
    }

    @Test
    void metadataValuesThatAreNotStrings() throws IOException {
        assertRefused(file("{\"__metadata__\":{\"ok\":\"x\",\"n\":1}}", 0), "__metadata__", "\"n\"", "number");
        assertRefused(file("{\"__metadata__\":{\"o\":{\"x\":\"y\"}}}", 0), "__metadata__", "\"o\"", "object");
        assertRefused(file("{\"__metadata__\":{\"nil\":null}}", 0), "__metadata__", "\"nil\"");
    }

    @Test
    void metadataThatIsNotAnObject() throws IOException {
        assertRefused(file("{\"__metadata__\":[\"a\"]}", 0), "__metadata__", "must be a JSON object");
    }

    @Test
    void truncatedRealFile(@TempDir Path other) throws IOException {
        Path model = io.jmlx.testing.SharedData.golden("affine_float32_64x128.safetensors");
        byte[] all = Files.readAllBytes(model);
        Path half = other.resolve("half.safetensors");
        Files.write(half, java.util.Arrays.copyOf(all, all.length / 2));
        assertRefused(half, "beyond the data buffer", "truncated");
        Path headerOnly = other.resolve("head.safetensors");
        Files.write(headerOnly, java.util.Arrays.copyOf(all, 100));
        assertRefused(headerOnly, "runs past the end of the file", "truncated");
    }

    @Test
    void missingFilesAndDirectoriesAreIoErrorsNotFormatErrors() {
        assertThrows(NoSuchFileException.class, () -> SafetensorsFile.open(dir.resolve("absent.safetensors")));
        IOException e = assertThrows(IOException.class, () -> SafetensorsFile.open(dir));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }
}
