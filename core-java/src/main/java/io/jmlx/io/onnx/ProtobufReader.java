package io.jmlx.io.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A cursor over one protobuf message in a (memory-mapped) segment: reads field tags, varints, fixed-width values and
 * length-delimited fields (as sub-readers sharing the segment, so large byte fields are never copied). Every read is
 * checked against the message's end; a truncated or malformed message throws {@link OnnxFormatException} naming the
 * byte offset.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment data;
    private final String what;
    private long pos;
    private final long end;
    private int wireType;

    /**
     * @param what names the message in errors, e.g. {@code ModelProto}
     */
    ProtobufReader(Path file, MemorySegment data, long from, long to, String what) {
        this.file = file;
        this.data = data;
        this.pos = from;
        this.end = to;
        this.what = what;
    }

    /** True while fields remain. */
    boolean hasMore() {
        return pos < end;
    }

    /** Reads the next field's tag and returns its field number; {@link #wireType()} then tells its encoding. */
    int nextField() throws OnnxFormatException {
        long tagAt = pos;
        long tag = readVarint();
        wireType = (int) (tag & 7);
        long field = tag >>> 3;
        if (field == 0 || field > Integer.MAX_VALUE) {
            throw error(tagAt, "invalid field number " + field);
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw error(tagAt, "unsupported wire type " + wireType + " for field " + field);
        }
        return (int) field;
    }

    /** The wire type of the field just read by {@link #nextField()}. */
    int wireType() {
        return wireType;
    }

    /** A varint (up to 64 bits). */
    long readVarint() throws OnnxFormatException {
        long start = pos;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw error(start, "a varint runs past the end of the " + what + " (truncated file?)");
            }
            byte b = data.get(ValueLayout.JAVA_BYTE, pos++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw error(start, "a varint is longer than 10 bytes");
    }

    /** A little-endian 32-bit value. */
    int readFixed32() throws OnnxFormatException {
        require(4);
        int v = data.get(I32, pos);
        pos += 4;
        return v;
    }

    /** A little-endian 64-bit value. */
    long readFixed64() throws OnnxFormatException {
        require(8);
        long v = data.get(I64, pos);
        pos += 8;
        return v;
    }

    /** A length-delimited field as a reader over its bytes; {@code what} names it in errors. */
    ProtobufReader readMessage(String what) throws OnnxFormatException {
        long length = readLength();
        ProtobufReader sub = new ProtobufReader(file, data, pos, pos + length, what);
        pos += length;
        return sub;
    }

    /** A length-delimited field's bytes as a view of the underlying segment (not copied). */
    MemorySegment readBytes() throws OnnxFormatException {
        long length = readLength();
        MemorySegment bytes = data.asSlice(pos, length);
        pos += length;
        return bytes;
    }

    /** A length-delimited UTF-8 string. */
    String readString() throws OnnxFormatException {
        return new String(readBytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Skips the value of the field just read. */
    void skip() throws OnnxFormatException {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> readFixed64();
            case FIXED32 -> readFixed32();
            default -> readBytes();
        }
    }

    /** An error at the current position. */
    OnnxFormatException error(String problem) {
        return error(pos, problem);
    }

    private long readLength() throws OnnxFormatException {
        long at = pos;
        long length = readVarint();
        if (length < 0 || length > end - pos) {
            throw error(
                    at,
                    "a field of " + Long.toUnsignedString(length) + " bytes runs past the end of the " + what + " ("
                            + (end - pos) + " bytes left; truncated file?)");
        }
        return length;
    }

    private void require(int bytes) throws OnnxFormatException {
        if (end - pos < bytes) {
            throw error(pos, "a " + bytes + "-byte value runs past the end of the " + what + " (truncated file?)");
        }
    }

    private OnnxFormatException error(long at, String problem) {
        return new OnnxFormatException(file, "byte " + at + " (in a " + what + "): " + problem);
    }
}
