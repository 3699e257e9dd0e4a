package io.jmlx.io.safetensors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.io.Json;
import io.jmlx.io.StagingDirectory;
import io.jmlx.io.TensorSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A safetensors file being written one tensor at a time, so that a checkpoint larger than memory can be written
 * while its tensors are computed: the header (every tensor's name, dtype and shape) is written first, then the
 * data of each tensor in header order. Everything goes to a file in a {@link StagingDirectory} beside the
 * destination; {@link #commit} flushes it to disk and renames it into place, and {@link #close} without a commit
 * deletes it, leaving the destination as it was. What a killed writer left beside the destination is removed first.
 *
 * <pre>{@code
 * try (SafetensorsOutput out = SafetensorsOutput.create(path, specs, Map.of("format", "mlx"))) {
 *     for (TensorSpec t : specs) {
 *         out.write(t.name(), dataOf(t));
 *     }
 *     out.commit();
 * }
 * }</pre>
 */
public final class SafetensorsOutput implements AutoCloseable {
    /** Bytes handed to the channel per write, so no tensor is ever copied whole to the heap. */
    private static final int CHUNK_BYTES = 8 << 20;

    /**
     * Bytes written between early flushes: each one runs beside the writer, so the disk takes the data while the
     * next tensors are computed, and the flush in {@link #commit} waits only for what came after the last one.
     */
    static final long EARLY_FLUSH_BYTES = 64L << 20;

    private final Path target;
    private final StagingDirectory staging;
    private final FileChannel channel;
    private final List<TensorSpec> specs;
    private int next;
    private boolean done;
    private long unflushed;
    private Thread flushing;

    private SafetensorsOutput(Path target, StagingDirectory staging, FileChannel channel, List<TensorSpec> specs) {
        this.target = target;
        this.staging = staging;
        this.channel = channel;
        this.specs = specs;
    }

    /**
     * Starts writing {@code specs} (in that order) and {@code metadata} (the header's {@code __metadata__}, left
     * out when empty or {@code null}) to {@code path}.
     *
     * @throws IllegalArgumentException if a name is {@code __metadata__} or appears twice
     * @throws IOException              if {@code path} is a folder or the temporary file cannot be created
     */
    public static SafetensorsOutput create(Path path, List<TensorSpec> specs, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(path, "path");
        List<TensorSpec> order = List.copyOf(specs);
        byte[] header = header(order, metadata == null ? Map.of() : metadata);
        Path target = path.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IOException(path + ": is a directory; cannot write a safetensors file there");
        }
        StagingDirectory.removeLeftovers(target);
        StagingDirectory staging = StagingDirectory.create(target);
        FileChannel channel;
        try {
            channel = FileChannel.open(staging.content(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            staging.close();
            throw e;
        }
        SafetensorsOutput out = new SafetensorsOutput(target, staging, channel, order);
        try {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            out.writeFully(head);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /**
     * Writes the data of the next tensor, which must be called {@code name} and hold exactly its spec's bytes.
     *
     * @throws IllegalStateException    if every tensor was written already, or the output is committed or closed
     * @throws IllegalArgumentException if {@code name} is not the next tensor or {@code data} has the wrong size
     */
    public void write(String name, MemorySegment data) throws IOException {
        if (done) {
            throw new IllegalStateException("The output for " + target + " is already committed or closed");
        }
        if (next >= specs.size()) {
            throw new IllegalStateException("All " + specs.size() + " tensors of " + target
                    + " are written; there is no tensor '" + name + "' left");
        }
        TensorSpec spec = specs.get(next);
        if (!spec.name().equals(name)) {
            throw new IllegalArgumentException(
                    "The next tensor of " + target + " is '" + spec.name() + "' but '" + name + "' was given");
        }
        if (data.byteSize() != spec.byteSize()) {
            throw new IllegalArgumentException("Tensor '" + name + "' (" + spec + ") needs " + spec.byteSize()
                    + " bytes but " + data.byteSize() + " were given");
        }
        for (long off = 0; off < data.byteSize(); off += CHUNK_BYTES) {
            writeFully(data.asSlice(off, Math.min(CHUNK_BYTES, data.byteSize() - off))
                    .asByteBuffer());
        }
        next++;
        unflushed += data.byteSize();
        if (unflushed >= EARLY_FLUSH_BYTES && (flushing == null || !flushing.isAlive())) {
            unflushed = 0;
            flushing = Thread.ofPlatform().daemon().name("jmlx-early-flush").start(this::flushEarly);
        }
    }

    /** Flushes what is written so far; a failure is left to the flush in {@link #commit}, which reports it. */
    private void flushEarly() {
        try {
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            // commit() flushes everything again and throws; close() makes force fail here on purpose.
        }
    }

    /**
     * Flushes the file to disk and renames it over the destination.
     *
     * @throws IllegalStateException if some tensors were not written
     */
    public void commit() throws IOException {
        if (done) {
            throw new IllegalStateException("The output for " + target + " is already committed or closed");
        }
        if (next < specs.size()) {
            throw new IllegalStateException("Only " + next + " of the " + specs.size() + " tensors of " + target
                    + " were written; the next is '" + specs.get(next).name() + "'");
        }
        try {
            channel.force(true); // after an early flush still running, if any: the disk has part of the data already
            channel.close();
            staging.commit();
            done = true;
        } finally {
            if (!done) {
                close();
            }
        }
    }

    /** Abandons an uncommitted output: the temporary file is deleted. Does nothing after {@link #commit}. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            channel.close();
        } finally {
            staging.close();
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes; data offsets follow the order of specs. */
    private static byte[] header(List<TensorSpec> specs, Map<String, String> metadata) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsFile.METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                meta.put(
                        Objects.requireNonNull(e.getKey(), "metadata key"),
                        Objects.requireNonNull(e.getValue(), () -> "metadata value of '" + e.getKey() + "'"));
            }
        }
        long offset = 0;
        for (TensorSpec t : specs) {
            if (t.name().equals(SafetensorsFile.METADATA_KEY)) {
                throw new IllegalArgumentException("A tensor cannot be named '" + SafetensorsFile.METADATA_KEY
                        + "': that key holds the file's metadata");
            }
            if (root.has(t.name())) {
                throw new IllegalArgumentException("Two tensors are named '" + t.name() + "'");
            }
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().safetensorsCode());
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            long end = offset + t.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = Json.MAPPER.writeValueAsBytes(root);
        int padded = (json.length + 7) & ~7;
        if (padded > SafetensorsFile.MAX_HEADER_BYTES) {
            throw new IOException("The safetensors header would have " + padded + " bytes, more than the "
                    + SafetensorsFile.MAX_HEADER_BYTES + " readers accept");
        }
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
