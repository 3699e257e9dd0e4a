package io.jmlx.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** What the writers share to make a finished file survive a crash: the rename into place forced to disk. */
public final class DurableFiles {
    private DurableFiles() {}

    /** Makes a rename in {@code dir} durable where the platform allows it (a directory cannot be opened on every OS). */
    public static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Best effort: the file itself is already on disk.
        }
    }
}
