package io.jmlx.io.model;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.jmlx.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON laid out as Python's {@code json.dump(..., indent=4)} lays it out ({@code "key": value}, four-space
 * indents, {@code {}} and {@code []} when empty), the way mlx-lm writes {@code config.json} and the shard index, so
 * files written by jmlx diff cleanly against mlx-lm's.
 */
final class PythonStyleJson {
    private static final ObjectWriter WRITER;

    static {
        DefaultIndenter indenter = new DefaultIndenter("    ", "\n");
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter)
                .withSeparators(separators);
        WRITER = Json.MAPPER.writer(printer);
    }

    private PythonStyleJson() {}

    /** {@code node} as UTF-8 bytes, ending in a newline. */
    static byte[] bytes(JsonNode node) throws IOException {
        return (WRITER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
