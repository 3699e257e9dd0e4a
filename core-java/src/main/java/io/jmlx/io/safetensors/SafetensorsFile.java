package io.jmlx.io.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.io.FileMapping;
import io.jmlx.io.Json;
import io.jmlx.io.TensorFile;
import io.jmlx.io.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A safetensors file opened for reading: the header is parsed and checked when the file is opened, and the data is
 * memory-mapped, so {@link #get} returns zero-copy {@link Array} views of the file.
 *
 * <p>The views stay valid until {@link #close()}; reading one afterwards throws {@link IllegalStateException}.
 * Copy an array (for example with {@link Array#astype}) to keep it beyond the file. The file is never opened for
 * writing.
 *
 * <pre>{@code
 * try (SafetensorsFile f = SafetensorsFile.open(Path.of("model.safetensors"))) {
 *     for (String name : f.names()) {
 *         Array a = f.get(name);
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Format: an 8-byte little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON
 * ({@code {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}}),
 * then the data buffer, which the offsets index. A malformed file is refused with a
 * {@link SafetensorsFormatException} saying what is wrong.
 */
public final class SafetensorsFile implements TensorFile {
    /** The largest header readers accept, as in the reference (Rust) implementation: 100 MB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The key of the optional string-to-string metadata object in the header. */
    static final String METADATA_KEY = "__metadata__";

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final FileMapping mapping;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final List<String> names;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileMapping mapping,
            MemorySegment data,
            List<TensorInfo> inOrder,
            Map<String, String> metadata) {
        this.path = path;
        this.mapping = mapping;
        this.data = data;
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        List<String> order = new ArrayList<>(inOrder.size());
        for (TensorInfo t : inOrder) {
            byName.put(t.name(), t);
            order.add(t.name());
        }
        this.tensors = Collections.unmodifiableMap(byName);
        this.names = Collections.unmodifiableList(order);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens and maps {@code path}, and checks its header.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws SafetensorsFormatException         if the file is not a well-formed safetensors file
     * @throws IOException                        if it cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        FileMapping mapping = FileMapping.map(path);
        try {
            MemorySegment file = mapping.segment();
            long size = file.byteSize();
            if (size < 8) {
                throw new SafetensorsFormatException(
                        path,
                        "the file has " + size + " bytes, too few for the 8-byte "
                                + "header length that starts a safetensors file");
            }
            long headerLength = file.get(U64, 0);
            if (headerLength < 0 || headerLength > SafetensorsFile.MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(
                        path,
                        "the header length " + Long.toUnsignedString(headerLength) + " is larger than the "
                                + SafetensorsFile.MAX_HEADER_BYTES + " bytes readers accept");
            }
            if (headerLength > size - 8) {
                throw new SafetensorsFormatException(
                        path,
                        "the header length " + headerLength
                                + " runs past the end of the file (" + size + " bytes, so at most " + (size - 8)
                                + " header bytes); the file may be truncated");
            }
            byte[] header = file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = file.asSlice(8 + headerLength);
            Parsed parsed = parseHeader(path, header, data.byteSize());
            return new SafetensorsFile(path, mapping, data, parsed.tensors, parsed.metadata);
        } catch (Throwable t) {
            mapping.close();
            throw t;
        }
    }

    private record Parsed(List<TensorInfo> tensors, Map<String, String> metadata) {}

    private static Parsed parseHeader(Path path, byte[] header, long dataLength) throws SafetensorsFormatException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(header);
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(path, "the header is not valid JSON: " + Json.describe(e), e);
        } catch (IOException e) {
            throw new SafetensorsFormatException(path, "the header cannot be read as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(
                    path,
                    "the header is not a JSON object but "
                            + (root == null || root.isMissingNode()
                                    ? "empty"
                                    : "a JSON " + root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(SafetensorsFile.METADATA_KEY)) {
                readMetadata(path, e.getValue(), metadata);
            } else {
                tensors.add(readEntry(path, e.getKey(), e.getValue(), dataLength));
            }
        }
        // Data offset order; a stable sort keeps header order among equal offsets (empty tensors).
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo previous = null;
        for (TensorInfo t : tensors) {
            if (t.byteSize() == 0) {
                continue;
            }
            if (previous != null && t.begin() < previous.end()) {
                throw new SafetensorsFormatException(
                        path,
                        "tensors '" + previous.name() + "' (bytes "
                                + previous.begin() + ".." + previous.end() + ") and '" + t.name() + "' (bytes "
                                + t.begin()
                                + ".." + t.end() + ") overlap");
            }
            if (previous == null || t.end() > previous.end()) {
                previous = t;
            }
        }
        return new Parsed(tensors, metadata);
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> into)
            throws SafetensorsFormatException {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new SafetensorsFormatException(
                    path,
                    "\"" + SafetensorsFile.METADATA_KEY + "\" must be a JSON object " + "of strings but is "
                            + describe(node));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsFormatException(
                        path,
                        "\"" + SafetensorsFile.METADATA_KEY + "\" values must be " + "strings but \"" + e.getKey()
                                + "\" is " + describe(e.getValue()));
            }
            into.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readEntry(Path path, String name, JsonNode node, long dataLength)
            throws SafetensorsFormatException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsFormatException(
                    path,
                    where + " must be a JSON object with dtype, shape and " + "data_offsets but is " + describe(node));
        }
        JsonNode dtypeNode = required(path, where, node, "dtype");
        JsonNode shapeNode = required(path, where, node, "shape");
        JsonNode offsetsNode = required(path, where, node, "data_offsets");

        if (!dtypeNode.isTextual()) {
            throw new SafetensorsFormatException(
                    path, where + ": dtype must be a string but is " + describe(dtypeNode));
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensorsCode(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(path, where + ": " + e.getMessage());
        }

        if (!shapeNode.isArray()) {
            throw new SafetensorsFormatException(
                    path, where + ": shape must be an array of integers but is " + describe(shapeNode));
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber()) {
                throw new SafetensorsFormatException(
                        path, where + ": shape must be an array of integers but element " + i + " is " + describe(d));
            }
            if (d.bigIntegerValue().signum() < 0) {
                throw new SafetensorsFormatException(
                        path, where + ": shape " + shapeNode + " has a negative dimension");
            }
            if (!d.canConvertToInt()) {
                throw new SafetensorsFormatException(
                        path,
                        where + ": dimension " + d + " of shape " + shapeNode + " is larger than " + Integer.MAX_VALUE
                                + ", the largest jmlx supports");
            }
            shape[i] = d.intValue();
        }

        if (!offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw new SafetensorsFormatException(
                    path,
                    where + ": data_offsets must be an array of two integers " + "[begin, end] but is "
                            + describe(offsetsNode));
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = offsetsNode.get(i);
            if (!o.isIntegralNumber()) {
                throw new SafetensorsFormatException(
                        path,
                        where + ": data_offsets must be an array of two integers " + "[begin, end] but is "
                                + offsetsNode);
            }
            if (o.bigIntegerValue().signum() < 0) {
                throw new SafetensorsFormatException(path, where + ": data_offsets " + offsetsNode + " are negative");
            }
            if (!o.canConvertToLong()) {
                throw new SafetensorsFormatException(
                        path,
                        where + ": data_offsets " + offsetsNode + " lie beyond the data buffer (" + dataLength
                                + " bytes)");
            }
            offsets[i] = o.longValue();
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new SafetensorsFormatException(
                    path, where + ": data_offsets " + offsetsNode + " begin after they end");
        }
        if (end > dataLength) {
            throw new SafetensorsFormatException(
                    path,
                    where + ": data_offsets " + offsetsNode + " lie beyond the data buffer, which has " + dataLength
                            + " bytes; the file may be truncated");
        }
        long expected;
        try {
            expected = Math.multiplyExact(Shape.size(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(
                    path,
                    where + ": shape " + Shape.format(shape) + " of " + dtype.safetensorsCode()
                            + " has more bytes than a file can hold");
        }
        if (expected != end - begin) {
            throw new SafetensorsFormatException(
                    path,
                    where + ": shape " + Shape.format(shape) + " of "
                            + dtype.safetensorsCode() + " needs " + expected + " bytes but data_offsets " + offsetsNode
                            + " hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonNode required(Path path, String where, JsonNode entry, String field)
            throws SafetensorsFormatException {
        JsonNode value = entry.get(field);
        if (value == null) {
            throw new SafetensorsFormatException(path, where + " has no \"" + field + "\"");
        }
        return value;
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        if (text.length() > 60) {
            text = text.substring(0, 57) + "...";
        }
        return "a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " (" + text + ")";
    }

    // ---------------------------------------------------------------- reading

    /** The tensor names in the order of their data in the file. */
    @Override
    public List<String> names() {
        return names;
    }

    /** True when the file holds a tensor called {@code name}. */
    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * The tensor {@code name} as a zero-copy view of the mapped file, valid until {@link #close()}.
     *
     * @throws IllegalArgumentException if there is no such tensor
     * @throws IllegalStateException    if the file has been closed
     */
    @Override
    public Array get(String name) {
        TensorInfo t = info(name);
        mapping.checkOpen();
        return Array.wrap(data.asSlice(t.begin(), t.byteSize()), t.dtype(), t.shape());
    }

    /**
     * The header entry of tensor {@code name}; its offsets are relative to the data buffer.
     *
     * @throws IllegalArgumentException if there is no such tensor
     */
    @Override
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    "No tensor named '" + name + "' in " + path + " (it has " + names.size() + " tensors)");
        }
        return t;
    }

    /** The header's {@code __metadata__} in file order (unmodifiable; empty when the file has none). */
    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The file this was opened from. */
    @Override
    public Path path() {
        return path;
    }

    /**
     * Unmaps the file; arrays from {@link #get} can no longer be read. Safe while other threads read them: their
     * reads either complete or throw {@link IllegalStateException} (see {@link FileMapping}). Closing twice does
     * nothing.
     */
    @Override
    public void close() {
        mapping.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile(" + path + ", " + names.size() + " tensors" + (mapping.isClosed() ? ", closed" : "")
                + ")";
    }
}
