package io.jmlx.io.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file is malformed: its header or its offsets break the format. The message names the file and
 * what is wrong with it.
 */
public class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** Creates the exception for {@code file}; the message becomes {@code "<file>: <problem>"}. */
    public SafetensorsFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    /** Creates the exception for {@code file} with the error that revealed the problem. */
    public SafetensorsFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The malformed file. */
    public Path file() {
        return file;
    }
}
