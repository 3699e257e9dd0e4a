package io.jmlx.io;

import io.jmlx.Array;
import io.jmlx.io.model.ModelCheckpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A file of named tensors that a {@link ModelCheckpoint} is made of: a safetensors file or an ONNX model. */
public interface TensorFile extends AutoCloseable {
    /** The tensor names. */
    List<String> names();

    /** True when the file holds {@code name}. */
    default boolean contains(String name) {
        return names().contains(name);
    }

    /** The tensor {@code name}. */
    Array get(String name);

    /** The tensor's dtype, shape and byte size. */
    TensorInfo info(String name);

    /** The file's string metadata (empty when the format has none). */
    Map<String, String> metadata();

    /** Where the file is. */
    Path path();

    @Override
    void close();
}
