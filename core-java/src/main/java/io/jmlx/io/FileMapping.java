package io.jmlx.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;

/**
 * A whole file mapped read-only into memory that every thread may read: the memory that the tensor file readers
 * hand out views of.
 *
 * <p>Closing unmaps it, and is safe while other threads read: the JDK checks every access to a mapped segment
 * against its arena, and a close that happens during a read makes that read throw {@link IllegalStateException}
 * instead of touching unmapped memory. A segment lent to an I/O operation or a native call (a {@link FileChannel}
 * writing a view, for instance) cannot be unmapped meanwhile: {@link #close()} then waits for it to be returned,
 * so the file is always unmapped when {@code close} returns.
 */
public final class FileMapping implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private boolean closed;

    private FileMapping(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Maps {@code path}.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException                        if it is a directory or cannot be mapped
     */
    public static FileMapping map(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new IOException(path + ": is a directory, not a file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return new FileMapping(path, arena, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The file's bytes; reading them after {@link #close()} throws {@link IllegalStateException}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The mapped file. */
    public Path path() {
        return path;
    }

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Throws {@link IllegalStateException} saying that the file was closed, if it was.
     *
     * @throws IllegalStateException if {@link #close()} was called
     */
    public synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException(path + " has been closed");
        }
    }

    /** Unmaps the file, waiting while a view is lent to an I/O operation or a native call. Twice does nothing. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean interrupted = false;
        for (long waitNanos = 10_000; ; waitNanos = Math.min(waitNanos * 2, 10_000_000)) {
            try {
                arena.close();
                break;
            } catch (IllegalStateException lent) {
                // "Session is acquired by N clients": an I/O operation holds a view; try again when it is done.
                try {
                    Thread.sleep(Duration.ofNanos(waitNanos));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
