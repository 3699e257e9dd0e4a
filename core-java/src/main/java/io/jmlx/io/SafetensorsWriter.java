package io.jmlx.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.EvaluationException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes arrays to a safetensors file, safely: the file is written under a temporary name in the destination's
 * directory, flushed to disk, and only then renamed over the destination, so readers see either the old file or
 * the complete new one. If anything fails (an I/O error, or an array whose computation failed) the temporary file
 * is deleted and the destination is left as it was.
 *
 * <pre>{@code
 * Map<String, Array> tensors = new TreeMap<>();            // sorted keys, as mlx-lm writes them
 * tensors.put("layer.weight", w);
 * SafetensorsWriter.write(Path.of("out.safetensors"), tensors, Map.of("format", "mlx"));
 * }</pre>
 */
public final class SafetensorsWriter {
    /** Bytes handed to the channel per write, so no array is ever copied whole to the heap. */
    private static final int CHUNK_BYTES = 8 << 20;

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors}, in the map's iteration order, and {@code metadata} (the header's
     * {@code __metadata__}, left out when empty or {@code null}) to {@code path}, replacing any file there.
     * The header is padded with spaces to a multiple of 8 bytes and the tensors follow each other without gaps.
     * Pending arrays are waited for first.
     *
     * @throws IllegalArgumentException if a tensor is named {@code __metadata__}
     * @throws EvaluationException      if an array's computation failed (nothing is written)
     * @throws IOException              if writing fails; {@code path} is then unchanged
     */
    public static void write(Path path, Map<String, Array> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, String> meta = metadata == null ? Map.of() : metadata;
        byte[] header = header(tensors, meta);

        Path target = path.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IOException(path + ": is a directory; cannot write a safetensors file there");
        }
        // Every computation must have succeeded before a byte is written.
        for (Map.Entry<String, Array> e : tensors.entrySet()) {
            try {
                e.getValue().data();
            } catch (EvaluationException failed) {
                throw new EvaluationException(failed.op(), failed.getMessage() + " (computing tensor '" + e.getKey()
                        + "' for " + path + "; nothing was written)", failed.getCause());
            }
        }

        Path dir = target.getParent();
        Path temp = null;
        try {
            FileChannel channel = null;
            for (int attempt = 0; channel == null; attempt++) {
                temp = dir.resolve(tempName(target.getFileName().toString()));
                try {
                    channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException taken) {
                    if (attempt >= 20) {
                        throw taken;
                    }
                }
            }
            try (FileChannel out = channel) {
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                writeFully(out, head);
                for (Array a : tensors.values()) {
                    MemorySegment data = a.data();
                    long n = a.nbytes();
                    for (long off = 0; off < n; off += CHUNK_BYTES) {
                        long len = Math.min(CHUNK_BYTES, n - off);
                        writeFully(out, data.asSlice(off, len).asByteBuffer());
                    }
                }
                out.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (Throwable t) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException cleanup) {
                    t.addSuppressed(cleanup);
                }
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Map<String, Array> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode root = SafetensorsJson.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsJson.METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                meta.put(Objects.requireNonNull(e.getKey(), "metadata key"),
                        Objects.requireNonNull(e.getValue(), () -> "metadata value of '" + e.getKey() + "'"));
            }
        }
        long offset = 0;
        for (Map.Entry<String, Array> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            Array a = Objects.requireNonNull(e.getValue(), () -> "array of tensor '" + name + "'");
            if (name.equals(SafetensorsJson.METADATA_KEY)) {
                throw new IllegalArgumentException("A tensor cannot be named '" + SafetensorsJson.METADATA_KEY
                        + "': that key holds the file's metadata");
            }
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", a.dtype().safetensorsCode());
            ArrayNode shape = entry.putArray("shape");
            for (int d : a.shape()) {
                shape.add(d);
            }
            long end = offset + a.nbytes();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = SafetensorsJson.MAPPER.writeValueAsBytes(root);
        int padded = (json.length + 7) & ~7;
        if (padded > SafetensorsJson.MAX_HEADER_BYTES) {
            throw new IOException("The safetensors header would have " + padded + " bytes, more than the "
                    + SafetensorsJson.MAX_HEADER_BYTES + " readers accept");
        }
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static String tempName(String fileName) {
        String base = fileName.length() > 100 ? fileName.substring(0, 100) : fileName;
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "." + base + "." + HexFormat.of().formatHex(random) + ".tmp";
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Makes the rename durable where the platform allows it (a directory cannot be opened on every OS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Best effort: the file itself is already on disk.
        }
    }
}
