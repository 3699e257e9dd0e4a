package io.jmlx.io.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.io.Json;
import io.jmlx.io.TensorFile;
import io.jmlx.io.TensorInfo;
import io.jmlx.io.onnx.OnnxTensors;
import io.jmlx.io.onnx.OnnxWeights;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.io.safetensors.SafetensorsFormatException;
import io.jmlx.quant.QuantizationSettings;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A model checkpoint opened for reading: an mlx-lm / Hugging Face model directory ({@code config.json} and
 * {@code model.safetensors}, or shards {@code model-0000k-of-0000N.safetensors} listed by
 * {@code model.safetensors.index.json}), a single safetensors file, or the weights of an ONNX model
 * ({@code *.onnx}, names and layout recovered by {@link OnnxWeights}). Every file is memory-mapped, so
 * {@link #get} returns zero-copy views; nothing is read until it is used.
 *
 * <p>Which layers are quantized follows mlx-lm's load rule ({@link #layerQuantization}): a per-layer entry of the
 * config's quantization settings decides when there is one, otherwise the presence of {@code <path>.scales}.
 *
 * <pre>{@code
 * try (ModelCheckpoint ckpt = ModelCheckpoint.open(Path.of("Llama-3.2-1B-4bit"))) {
 *     Array embed = ckpt.get("model.embed_tokens.weight");
 *     ckpt.quantization().ifPresent(q -> System.out.println(q.global()));
 * }
 * }</pre>
 */
public final class ModelCheckpoint implements AutoCloseable {
    /** The single-file name mlx-lm writes when a model fits one shard. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The shard index mlx-lm writes beside the weights. */
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** The model configuration file. */
    public static final String CONFIG_FILE = "config.json";
    /** The metadata key under which {@code jmlx quantize} records a single file's settings. */
    public static final String RECORDED_SETTINGS = "jmlx.quantization";

    private final Path path;
    private final List<TensorFile> files;
    private final Map<String, TensorFile> byTensor;
    private final ObjectNode config;
    private final QuantizationConfig quantization;

    private ModelCheckpoint(
            Path path,
            List<TensorFile> files,
            Map<String, TensorFile> byTensor,
            ObjectNode config,
            QuantizationConfig quantization) {
        this.path = path;
        this.files = files;
        this.byTensor = byTensor;
        this.config = config;
        this.quantization = quantization;
    }

    /**
     * Opens a model directory or a single safetensors file (which then has an empty config, and the quantization
     * settings {@code jmlx quantize} recorded in its metadata).
     *
     * @throws NoSuchFileException        if {@code path} does not exist, or a directory has no weights
     * @throws SafetensorsFormatException if a weight file is malformed
     * @throws IOException                if the config or index is malformed or names missing files or tensors
     */
    public static ModelCheckpoint open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        if (!Files.isDirectory(path)) {
            TensorFile file = path.getFileName().toString().endsWith(".onnx")
                    ? OnnxTensors.open(path)
                    : SafetensorsFile.open(path);
            Map<String, TensorFile> byTensor = new TreeMap<>();
            file.names().forEach(n -> byTensor.put(n, file));
            try {
                return new ModelCheckpoint(
                        path, List.of(file), byTensor, JsonNodeFactory.instance.objectNode(), recordedSettings(file));
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        }
        ObjectNode config = readConfig(path.resolve(CONFIG_FILE));
        QuantizationConfig quantization;
        try {
            quantization = QuantizationConfig.read(
                            config, path.resolve(CONFIG_FILE).toString())
                    .orElse(null);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        List<TensorFile> files = new ArrayList<>();
        try {
            Map<String, TensorFile> byTensor =
                    Files.exists(path.resolve(INDEX_FILE)) ? openIndexed(path, files) : openGlob(path, files);
            return new ModelCheckpoint(path, List.copyOf(files), byTensor, config, quantization);
        } catch (IOException | RuntimeException e) {
            files.forEach(TensorFile::close);
            throw e;
        }
    }

    /**
     * The settings {@code jmlx quantize} records in a single file's metadata ({@value #RECORDED_SETTINGS}, the same
     * fields as the config's quantization entry), or {@code null}.
     */
    private static QuantizationConfig recordedSettings(TensorFile file) throws IOException {
        String recorded = file.metadata().get(RECORDED_SETTINGS);
        if (recorded == null) {
            return null;
        }
        String where = file.path() + " metadata " + RECORDED_SETTINGS;
        try {
            ObjectNode config = JsonNodeFactory.instance.objectNode();
            config.set("quantization", Json.MAPPER.readTree(recorded));
            return QuantizationConfig.read(config, where).orElse(null);
        } catch (JsonProcessingException e) {
            throw new IOException(where + ": not valid JSON: " + Json.describe(e), e);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The config, or an empty one when the directory has none (a bare set of weights). */
    private static ObjectNode readConfig(Path file) throws IOException {
        if (!Files.exists(file)) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode node = Json.readFile(file);
        if (node == null || !node.isObject()) {
            throw new IOException(
                    file + ": must hold a JSON object but holds " + (node == null ? "nothing" : node.getNodeType()));
        }
        return (ObjectNode) node;
    }

    /** Shards through the index's weight map; every listed tensor must be in its file and no file may add others. */
    private static Map<String, TensorFile> openIndexed(Path dir, List<TensorFile> files) throws IOException {
        Path indexFile = dir.resolve(INDEX_FILE);
        JsonNode index = Json.readFile(indexFile);
        JsonNode map = index == null ? null : index.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new IOException(indexFile + ": has no \"weight_map\" object (tensor name -> shard file)");
        }
        Map<String, TensorFile> open = new LinkedHashMap<>();
        Map<String, TensorFile> byTensor = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode v = e.getValue();
            if (!v.isTextual() || v.textValue().contains("/") || v.textValue().contains("\\")) {
                throw new IOException(indexFile + ": the weight_map entry of \"" + e.getKey() + "\" must be a file "
                        + "name in the same directory but is " + v);
            }
            TensorFile file = open.get(v.textValue());
            if (file == null) {
                Path shard = dir.resolve(v.textValue());
                if (!Files.exists(shard)) {
                    throw new NoSuchFileException(
                            shard.toString(),
                            null,
                            "listed in " + indexFile + " for tensor " + e.getKey() + " but missing");
                }
                file = SafetensorsFile.open(shard);
                files.add(file);
                open.put(v.textValue(), file);
            }
            if (!file.contains(e.getKey())) {
                throw new IOException(indexFile + " places tensor " + e.getKey() + " in " + v.textValue()
                        + ", which does not hold it");
            }
            byTensor.put(e.getKey(), file);
        }
        for (TensorFile file : files) {
            for (String name : file.names()) {
                if (byTensor.get(name) != file) {
                    throw new IOException(file.path() + " holds tensor " + name + ", which " + indexFile
                            + (byTensor.containsKey(name)
                                    ? " places in " + byTensor.get(name).path().getFileName()
                                    : " does not list"));
                }
            }
        }
        return byTensor;
    }

    /** Without an index: every {@code model*.safetensors} file, as mlx-lm's loader globs them. */
    private static Map<String, TensorFile> openGlob(Path dir, List<TensorFile> files) throws IOException {
        List<Path> shards = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "model*.safetensors")) {
            s.forEach(shards::add);
        }
        if (shards.isEmpty()) {
            throw new NoSuchFileException(dir.toString(), null, "no model*.safetensors files in this directory");
        }
        Collections.sort(shards);
        Map<String, TensorFile> byTensor = new TreeMap<>();
        for (Path shard : shards) {
            TensorFile file = SafetensorsFile.open(shard);
            files.add(file);
            for (String name : file.names()) {
                TensorFile before = byTensor.put(name, file);
                if (before != null) {
                    throw new IOException("tensor " + name + " is in both " + before.path() + " and " + shard);
                }
            }
        }
        return byTensor;
    }

    /** The directory or file this was opened from. */
    public Path path() {
        return path;
    }

    /** True for a model directory, false for a single safetensors file. */
    public boolean isDirectory() {
        return Files.isDirectory(path);
    }

    /** Every tensor name, sorted. */
    public List<String> names() {
        return List.copyOf(byTensor.keySet());
    }

    /** True when the checkpoint holds {@code name}. */
    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    /**
     * The tensor {@code name} as a view of its mapped file.
     *
     * @throws IllegalArgumentException if there is no such tensor
     */
    public Array get(String name) {
        return file(name).get(name);
    }

    /** The header entry of {@code name} (offsets relative to its file's data). */
    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** The file that holds {@code name}. */
    public Path fileOf(String name) {
        return file(name).path();
    }

    private TensorFile file(String name) {
        TensorFile f = byTensor.get(name);
        if (f == null) {
            throw new IllegalArgumentException(
                    "No tensor named '" + name + "' in " + path + " (it has " + byTensor.size() + " tensors)");
        }
        return f;
    }

    /** The weight files, in the order they were opened. */
    public List<Path> files() {
        return files.stream().map(TensorFile::path).toList();
    }

    /**
     * The metadata of the first weight file (mlx-lm writes {@code {"format": "mlx"}} in each); empty when there is no
     * weight file (a shard index whose weight map is empty).
     */
    public Map<String, String> metadata() {
        return files.isEmpty() ? Map.of() : files.getFirst().metadata();
    }

    /** A copy of the parsed {@code config.json} (empty for a single file or a directory without one). */
    public ObjectNode config() {
        return config.deepCopy();
    }

    /** The config's quantization settings, when the model is quantized. */
    public Optional<QuantizationConfig> quantization() {
        return Optional.ofNullable(quantization);
    }

    /**
     * How the layer at module path {@code path} is stored, by mlx-lm's rule: quantized with its per-layer entry's
     * settings when the config has one ({@code false}: dense), else with the global settings when
     * {@code <path>.scales} exists; empty for a dense layer. Without quantization settings in the config, a layer
     * with scales is reported with MLX's defaults (affine, group size 64, 4 bits).
     */
    public Optional<QuantizationSettings> layerQuantization(String path) {
        boolean hasScales = byTensor.containsKey(path + ".scales");
        if (quantization == null) {
            return hasScales ? Optional.of(QuantizationSettings.DEFAULT) : Optional.empty();
        }
        return quantization.forLayer(path, hasScales);
    }

    /** Total bytes of tensor data. */
    public long dataBytes() {
        long total = 0;
        for (Map.Entry<String, TensorFile> e : byTensor.entrySet()) {
            total += e.getValue().info(e.getKey()).byteSize();
        }
        return total;
    }

    /** Unmaps every file; arrays from {@link #get} can no longer be read. */
    @Override
    public void close() {
        files.forEach(TensorFile::close);
    }

    @Override
    public String toString() {
        return "ModelCheckpoint(" + path + ", " + byTensor.size() + " tensors in " + files.size() + " file"
                + (files.size() == 1 ? "" : "s") + ")";
    }
}
