package io.jmlx.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON settings every jmlx file reader and writer shares (safetensors headers, config.json, shard indexes). */
public final class Json {
    /**
     * Strict parsing: a key given twice and anything but whitespace after the top-level value are errors (a
     * duplicated tensor name must not silently win). Thread-safe once built.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    /**
     * Parses the JSON file {@code file}. Anything that keeps it from parsing (bad syntax, bytes that are no text in
     * any JSON encoding) is an {@link IOException} that names the file: {@code <file>: not valid JSON: <why>}.
     */
    public static JsonNode readFile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + describe(e), e);
        } catch (CharConversionException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** A one-line description of a JSON error: Jackson's message and the byte offset where it was found. */
    public static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
        message = message.replaceAll("\\s*\\R\\s*", " ").trim();
        if (e.getLocation() != null && e.getLocation().getByteOffset() >= 0) {
            message += " (at byte " + e.getLocation().getByteOffset() + ")";
        }
        return message;
    }
}
