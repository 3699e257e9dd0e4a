package io.jmlx.io.onnx;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An ONNX file is malformed or uses something jmlx does not read (external data, sparse initializers): the
 * message names the file, where in it, and what is wrong.
 */
public class OnnxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; the message becomes {@code "<file>: <problem>"}. */
    public OnnxFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
