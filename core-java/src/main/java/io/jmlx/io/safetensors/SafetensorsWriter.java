package io.jmlx.io.safetensors;

import io.jmlx.Array;
import io.jmlx.EvaluationException;
import io.jmlx.io.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes arrays to a safetensors file, safely: the file is written under a temporary name in the destination's
 * directory, flushed to disk, and only then renamed over the destination, so readers see either the old file or
 * the complete new one. If anything fails (an I/O error, or an array whose computation failed) the temporary file
 * is deleted and the destination is left as it was. (To write tensors as they are computed, one at a time, use
 * {@link SafetensorsOutput}.)
 *
 * <pre>{@code
 * Map<String, Array> tensors = new TreeMap<>();            // sorted keys, as mlx-lm writes them
 * tensors.put("layer.weight", w);
 * SafetensorsWriter.write(Path.of("out.safetensors"), tensors, Map.of("format", "mlx"));
 * }</pre>
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors}, in the map's iteration order, and {@code metadata} (the header's
     * {@code __metadata__}, left out when empty or {@code null}) to {@code path}, replacing any file there.
     * The header is padded with spaces to a multiple of 8 bytes and the tensors follow each other without gaps.
     * Pending arrays are waited for first.
     *
     * @throws IllegalArgumentException if a tensor is named {@code __metadata__}
     * @throws EvaluationException      if an array's computation failed (nothing is written)
     * @throws IOException              if writing fails; {@code path} is then unchanged
     */
    public static void write(Path path, Map<String, Array> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tensors, "tensors");
        List<TensorSpec> specs = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Array> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            Array a = Objects.requireNonNull(e.getValue(), () -> "array of tensor '" + name + "'");
            specs.add(new TensorSpec(name, a.dtype(), a.shape()));
        }
        // Every computation must have succeeded before a byte is written.
        for (Map.Entry<String, Array> e : tensors.entrySet()) {
            try {
                e.getValue().data();
            } catch (EvaluationException failed) {
                throw new EvaluationException(
                        failed.op(),
                        failed.getMessage() + " (computing tensor '" + e.getKey() + "' for " + path
                                + "; nothing was written)",
                        failed.getCause());
            }
        }
        try (SafetensorsOutput out = SafetensorsOutput.create(path, specs, metadata)) {
            for (Map.Entry<String, Array> e : tensors.entrySet()) {
                out.write(e.getKey(), e.getValue().data());
            }
            out.commit();
        }
    }
}
