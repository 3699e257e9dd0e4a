package io.jmlx.io.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.io.Json;
import io.jmlx.io.StagingDirectory;
import io.jmlx.io.TensorSpec;
import io.jmlx.io.safetensors.SafetensorsOutput;
import io.jmlx.quant.QuantizationSettings;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes a model directory in mlx-lm's layout: {@code config.json} (keys sorted, the {@code "quantization"} entry
 * mirrored into {@code "quantization_config"}), the weights with sorted keys and metadata {@code {"format": "mlx"}}
 * in {@code model.safetensors} or, past the shard size, in {@code model-0000k-of-0000N.safetensors}, and
 * {@code model.safetensors.index.json} ({@code total_size}, {@code total_parameters}, {@code weight_map}).
 *
 * <p>Tensors are written one at a time as a {@link TensorSource} computes them, so a checkpoint larger than memory
 * can be converted. The directory is built in a {@link StagingDirectory} beside the destination and renamed into
 * place only when complete; a failure, or the JVM shutting down (Ctrl-C) mid-way, deletes it and leaves any
 * existing destination as it was. What a killed writer left beside the destination is removed before writing.
 *
 * <pre>{@code
 * CheckpointWriter.to(Path.of("model-4bit")).shardBytes(2L << 30).write(config, specs, spec -> compute(spec));
 * }</pre>
 */
public final class CheckpointWriter {
    /** mlx-lm's shard size: 5 GiB. */
    public static final long DEFAULT_SHARD_BYTES = 5L << 30;

    /** Supplies a tensor's data when the writer reaches it: once per tensor, in name order. */
    @FunctionalInterface
    public interface TensorSource {
        /** The data of {@code spec}: exactly {@code spec.byteSize()} bytes, little-endian. */
        MemorySegment data(TensorSpec spec) throws IOException;
    }

    /** Told after each tensor is on disk, e.g. to show progress. */
    @FunctionalInterface
    public interface Listener {
        /** {@code spec} was written; {@code bytesDone} of {@code bytesTotal} tensor bytes are written so far. */
        void written(TensorSpec spec, long bytesDone, long bytesTotal);
    }

    private final Path destination;
    private long shardBytes = DEFAULT_SHARD_BYTES;
    private boolean replace;
    private List<Path> extraFiles = List.of();
    private Listener listener = (spec, done, total) -> {};

    private CheckpointWriter(Path destination) {
        this.destination = destination.toAbsolutePath().normalize();
    }

    /** A writer for the model directory {@code destination}. */
    public static CheckpointWriter to(Path destination) {
        return new CheckpointWriter(Objects.requireNonNull(destination, "destination"));
    }

    /** The largest shard in bytes of tensor data (default 5 GiB); a larger single tensor gets a shard of its own. */
    public CheckpointWriter shardBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("The shard size must be positive but is " + bytes + " bytes");
        }
        this.shardBytes = bytes;
        return this;
    }

    /**
     * Whether an existing destination may be replaced (default: no). Only a file, an empty directory or a
     * directory holding a model ({@code config.json} or {@code model*.safetensors}) is ever replaced.
     */
    public CheckpointWriter replaceExisting(boolean replace) {
        this.replace = replace;
        return this;
    }

    /** Files copied into the directory as they are, e.g. a tokenizer (names must not clash with the weights). */
    public CheckpointWriter copyFiles(List<Path> files) {
        this.extraFiles = List.copyOf(files);
        return this;
    }

    /** Receives progress. */
    public CheckpointWriter listener(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Writes arrays that are already computed (or being computed): {@code tensors} by name. */
    public void write(ObjectNode config, Map<String, Array> tensors) throws IOException {
        Map<String, Array> sorted = new TreeMap<>(tensors);
        List<TensorSpec> specs = new ArrayList<>();
        sorted.forEach((name, a) -> specs.add(new TensorSpec(name, a.dtype(), a.shape())));
        write(config, specs, spec -> sorted.get(spec.name()).data());
    }

    /**
     * Writes the directory: {@code config} (not modified; a sorted copy with the quantization mirror is written),
     * then {@code tensors} sorted by name, their data taken from {@code source} one at a time.
     *
     * @throws FileAlreadyExistsException if the destination exists and may not be replaced
     * @throws IllegalArgumentException   if two tensors share a name
     * @throws IOException                if writing fails, or {@code source} does; nothing is left behind
     */
    public void write(ObjectNode config, List<TensorSpec> tensors, TensorSource source) throws IOException {
        Files.createDirectories(destination.getParent());
        StagingDirectory.removeLeftovers(destination);
        checkDestination();
        List<TensorSpec> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(TensorSpec::name));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IllegalArgumentException(
                        "Two tensors are named '" + sorted.get(i).name() + "'");
            }
        }
        List<List<TensorSpec>> shards = shards(sorted, shardBytes);
        ObjectNode configOut = configToWrite(config);

        try (StagingDirectory staging = StagingDirectory.create(destination)) {
            Path temp = staging.content();
            Files.createDirectory(temp);
            long total = sorted.stream().mapToLong(TensorSpec::byteSize).sum();
            long written = 0;
            ObjectNode index = Json.MAPPER.createObjectNode();
            ObjectNode weightMap = Json.MAPPER.createObjectNode();
            for (int s = 0; s < shards.size(); s++) {
                String name = shards.size() == 1
                        ? ModelCheckpoint.SINGLE_FILE
                        : String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
                try (SafetensorsOutput out =
                        SafetensorsOutput.create(temp.resolve(name), shards.get(s), Map.of("format", "mlx"))) {
                    for (TensorSpec spec : shards.get(s)) {
                        out.write(spec.name(), source.data(spec));
                        written += spec.byteSize();
                        weightMap.put(spec.name(), name);
                        listener.written(spec, written, total);
                    }
                    out.commit();
                }
            }
            index.putObject("metadata")
                    .put("total_size", total)
                    .put("total_parameters", parameterCount(sorted, configOut));
            index.set("weight_map", weightMap);
            Files.write(temp.resolve(ModelCheckpoint.INDEX_FILE), PythonStyleJson.bytes(index));
            Files.write(temp.resolve(ModelCheckpoint.CONFIG_FILE), PythonStyleJson.bytes(configOut));
            for (Path extra : extraFiles) {
                Path copy = temp.resolve(extra.getFileName().toString());
                if (Files.exists(copy)) {
                    throw new FileAlreadyExistsException(
                            copy.getFileName().toString(),
                            null,
                            "a file to copy would replace one the checkpoint writes");
                }
                Files.copy(extra, copy);
            }
            staging.commit();
        }
    }

    /**
     * mlx-lm's sharding: tensors in order, a new shard whenever the next tensor would take the current one past
     * {@code maxBytes}.
     */
    static List<List<TensorSpec>> shards(List<TensorSpec> tensors, long maxBytes) {
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> shard = new ArrayList<>();
        long size = 0;
        for (TensorSpec t : tensors) {
            if (!shard.isEmpty() && size + t.byteSize() > maxBytes) {
                shards.add(shard);
                shard = new ArrayList<>();
                size = 0;
            }
            shard.add(t);
            size += t.byteSize();
        }
        shards.add(shard);
        return shards;
    }

    /** A sorted copy of {@code config} with {@code quantization_config} mirroring {@code quantization}. */
    private static ObjectNode configToWrite(ObjectNode config) {
        ObjectNode copy = config.deepCopy();
        copy.remove("_name_or_path");
        if (copy.has("quantization")) {
            copy.set("quantization_config", copy.get("quantization").deepCopy());
        }
        ObjectNode sorted = Json.MAPPER.createObjectNode();
        TreeMap<String, JsonNode> byKey = new TreeMap<>();
        copy.properties().forEach(e -> byKey.put(e.getKey(), e.getValue()));
        byKey.forEach(sorted::set);
        return sorted;
    }

    /**
     * mlx-lm's {@code total_parameters}: a quantized layer counts its logical weight ({@code packed · 32 / bits})
     * and its bias, but not its scales and biases; every other tensor counts its elements.
     */
    private static long parameterCount(List<TensorSpec> tensors, ObjectNode config) {
        Map<String, TensorSpec> byName = new TreeMap<>();
        tensors.forEach(t -> byName.put(t.name(), t));
        Optional<QuantizationConfig> q = QuantizationConfig.read(config, ModelCheckpoint.CONFIG_FILE);
        long count = 0;
        for (TensorSpec t : tensors) {
            String name = t.name();
            String layer = name.substring(0, Math.max(0, name.lastIndexOf('.')));
            boolean quantizedLayer = byName.containsKey(layer + ".scales");
            if (quantizedLayer && (name.endsWith(".scales") || name.endsWith(".biases"))) {
                continue;
            }
            long elements = Shape.size(t.shape());
            if (quantizedLayer && name.endsWith(".weight") && t.dtype() == DType.UINT32) {
                QuantizationSettings s = q.flatMap(c -> c.forLayer(layer, true)).orElse(QuantizationSettings.DEFAULT);
                elements = elements * 32 / s.bits();
            }
            count += elements;
        }
        return count;
    }

    private void checkDestination() throws IOException {
        if (!Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!replace) {
            throw new FileAlreadyExistsException(destination.toString(), null, "already exists");
        }
        if (Files.isDirectory(destination) && !looksLikeModel(destination)) {
            throw new IOException("refusing to replace " + destination + ": it is a directory that holds neither "
                    + "config.json nor model*.safetensors");
        }
    }

    private static boolean looksLikeModel(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            boolean empty = true;
            for (Path p : s) {
                empty = false;
                String n = p.getFileName().toString();
                if (n.equals(ModelCheckpoint.CONFIG_FILE) || (n.startsWith("model") && n.endsWith(".safetensors"))) {
                    return true;
                }
            }
            return empty;
        }
    }
}
