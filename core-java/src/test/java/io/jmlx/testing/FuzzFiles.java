package io.jmlx.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** What the fuzz tests share: a scratch file per test class, rewritten for each input, and the rule on messages. */
public final class FuzzFiles {
    private FuzzFiles() {}

    /** A fresh file name in a temporary directory deleted when the JVM exits. */
    public static Path scratch(String name) {
        try {
            Path dir = Files.createTempDirectory("jmlx-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(name);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces {@code file}'s content with {@code bytes}. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Files.write(
                file, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /** A refusal must say why: a message that is not empty. */
    public static void assertExplains(Exception refused) {
        assertNotNull(refused.getMessage(), refused::toString);
        assertFalse(refused.getMessage().isBlank(), refused::toString);
    }
}
