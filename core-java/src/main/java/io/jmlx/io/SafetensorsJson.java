package io.jmlx.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The JSON settings shared by the safetensors reader and writer. */
final class SafetensorsJson {
    /** The largest header readers accept, as in the reference (Rust) implementation: 100 MB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The key of the optional string-to-string metadata object in the header. */
    static final String METADATA_KEY = "__metadata__";

    /**
     * Strict parsing: a key given twice and anything but whitespace after the header object are errors (a
     * duplicated tensor name must not silently win). Thread-safe once built.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafetensorsJson() {}

    /** A one-line description of a JSON error: Jackson's message and where in the header it was found. */
    static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
        message = message.replaceAll("\\s*\\R\\s*", " ").trim();
        if (e.getLocation() != null && e.getLocation().getByteOffset() >= 0) {
            message += " (at header byte " + e.getLocation().getByteOffset() + ")";
        }
        return message;
    }
}
