package io.jmlx.stream;

/**
 * Where an op runs, as MLX's {@code stream=} argument: a {@link Stream}, or a {@link Device} (meaning that
 * device's default stream). Ops given {@code null} use {@link Stream#defaultStream()}.
 */
public sealed interface StreamOrDevice permits Stream, Device {

    /** The stream this names. */
    Stream stream();

    /** Resolves {@code s} to a stream; {@code null} gives the current default stream. */
    static Stream resolve(StreamOrDevice s) {
        return s == null ? Stream.defaultStream() : s.stream();
    }
}
