package io.jmlx.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.io.TensorInfo;
import io.jmlx.io.TensorSpec;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.io.model.QuantizationConfig;
import io.jmlx.models.CalibratedModel;
import io.jmlx.nn.Calibration;
import io.jmlx.nn.MixedPrecision;
import io.jmlx.nn.Module;
import io.jmlx.nn.Quantization;
import io.jmlx.nn.QuantizeDecision;
import io.jmlx.nn.QuantizedLayer;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.quant.ReconstructionError;
import io.jmlx.quant.method.BitBudget;
import io.jmlx.quant.method.QuantizationMethod;
import io.jmlx.stream.Stream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jmlx convert}: mlx-lm's {@code convert -q} on a model directory or a safetensors file, streamed tensor by
 * tensor from the memory-mapped input into a new model directory in mlx-lm's layout.
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        header = "Quantize a model (directory, safetensors or ONNX file) into an mlx-lm model directory.",
        versionProvider = JmlxCommand.Version.class,
        description = {
            "Quantizes a model as mlx-lm's 'convert -q' does and writes it in the layout every mlx-community "
                    + "model uses: config.json with a \"quantization\" entry (and its \"quantization_config\" "
                    + "mirror), model.safetensors or model-0000k-of-0000N.safetensors shards, and "
                    + "model.safetensors.index.json. MLX and mlx-lm load the result unchanged.",
            "",
            "Layers: every 2-D float tensor P.weight (Linear and Embedding weights) is a layer at path P. "
                    + "Each layer is matched against the --override and --skip rules in the order given; the "
                    + "first match wins (a regex matches anywhere in the path). Overridden layers are written "
                    + "to the config as per-layer entries, skipped ones as \"P\": false. A layer whose last "
                    + "dimension does not divide by its group size stays dense, with a note and no config "
                    + "entry, as mlx-lm does. Every other tensor is copied, cast to --dtype when it is a float.",
            "",
            "The input is only read, one tensor at a time, so models larger than memory convert. The output is "
                    + "built in a hidden directory beside PATH and renamed into place when complete; other files "
                    + "of an input directory (tokenizer, ...) are copied along. Progress goes to stderr (a bar "
                    + "on a terminal), the closing table to stdout (each layer's relative error measured on at most 4M of "
                    + "its weights, whole rows spread evenly)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx convert -i Llama-3.2-1B -o Llama-3.2-1B-4bit",
            "  jmlx convert -i model -o model-q --bits 4 --override 'lm_head=8' --skip 'embed_tokens'",
            "  jmlx convert -i model -o model-mxfp4 --mode mxfp4 --dtype bfloat16 --shard-size 2GB",
            "  jmlx convert -i all-minilm-l6-v2.onnx -o minilm-4bit"
        })
public final class ConvertCommand extends OutputCommand {
    @Mixin
    DeviceOption device;

    private static final Set<DType> FLOATS = Set.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);

    /** The rule text of layers whose settings --bits-per-weight chose. */
    private static final String BUDGET = "--bits-per-weight";

    /** The method parsed from --method (set by execute). */
    private QuantizationMethod method = QuantizationMethod.RTN;

    @Option(
            names = {"-i", "--input"},
            required = true,
            paramLabel = "PATH",
            description = "The model: a directory (config.json, model*.safetensors), a single safetensors file, or an "
                    + "ONNX model (*.onnx: MatMul weights get their module names back and the [out, in] layout).")
    Path input;

    @Mixin
    QuantizationOptions quantization;

    @Option(
            names = "--dtype",
            paramLabel = "TYPE",
            description = "float16, bfloat16 or float32 for the dense tensors and the affine scales (default: the "
                    + "config's torch_dtype when it is one of these, as mlx-lm; else each tensor keeps its type).")
    String dtype;

    @Option(
            names = "--shard-size",
            defaultValue = "5GiB",
            paramLabel = "SIZE",
            description = "Largest shard, e.g. 5GiB, 500MB or a byte count (default: ${DEFAULT-VALUE}, mlx-lm's).")
    String shardSize;

    @Option(
            names = "--override",
            paramLabel = "REGEX=BITS[:GROUP[:MODE]]",
            description = "Quantize matching layers with other settings (repeatable; group size and mode default to "
                    + "the global ones).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--skip", paramLabel = "REGEX", description = "Leave matching layers dense (repeatable).")
    List<String> skips = new ArrayList<>();

    @Option(
            names = "--method",
            defaultValue = "rtn",
            paramLabel = "NAME",
            description = "How codes, scales and biases are chosen (default: ${DEFAULT-VALUE}, MLX's round to "
                    + "nearest, byte for byte): mse (data-free: per group, the scale and bias of least squared "
                    + "error), gptq (calibrated: each linear layer minimises its output error on calibration "
                    + "inputs). Every method writes MLX's layout. See --list-methods.")
    String methodName;

    @Option(
            names = "--list-methods",
            help = true,
            description = "Print the methods, one a line: the name, then data-free or calibrated; then exit.")
    boolean listMethods;

    @Option(
            names = "--calibration",
            paramLabel = "FILE|self",
            description = "Calibration inputs for calibrated methods and for --bits-per-weight: a text file (a "
                    + "decoder reads documents separated by blank lines, an encoder one sentence a line), or 'self' "
                    + "for a decoder: text the float model writes itself (32 sampled sequences of 256 tokens, seed "
                    + "0). The model must be one jmlx-models knows: config.json model_type llama, mistral or bert, "
                    + "or a BERT ONNX export.")
    String calibration;

    @Option(
            names = "--bits-per-weight",
            paramLabel = "X",
            description = "Mixed precision under a size budget: per layer, the affine bits (2-8) and group size "
                    + "(32, 64, 128) that store X bits per weight on average (scales and biases included) with the "
                    + "least loss, from each layer's sensitivity: measured on the --calibration inputs when given, "
                    + "else every layer alike. Written as per-layer entries in config.json. --override and --skip "
                    + "layers keep their rules.")
    Double bitsPerWeight;

    @Option(
            names = "--json-summary",
            paramLabel = "FILE",
            description = "Also write the closing table as JSON to FILE once the output is complete: input, output, "
                    + "quantization, method, bits_per_weight (with --bits-per-weight), layers [{path, shape, "
                    + "quantization, rule, bytes_before, bytes_after, relative_error}], dense [{name, shape, bytes, "
                    + "note}], totals.")
    Path jsonSummary;

    /** A quantized layer: where it comes from, how, and (once written) what it became. */
    private static final class Layer {
        final String path;
        final TensorInfo weight;
        final QuantizationSettings settings;
        final String rule;
        QuantizedParts parts;
        QuantizedParts calibrated;
        int partsLeft;
        long bytesAfter;
        /** The relative reconstruction error, computed beside the conversion ({@link #errors}). */
        CompletableFuture<Double> error;

        Layer(String path, TensorInfo weight, QuantizationSettings settings, String rule) {
            this.path = path;
            this.weight = weight;
            this.settings = settings;
            this.rule = rule;
        }
    }

    /**
     * Where the reconstruction errors are computed: a thread of its own, so that a layer's error is
     * measured while the next layer is quantized and the output written. At most two are pending at a time.
     */
    private ExecutorService errors;

    /** Elements a layer's reconstruction error is measured on at most: evenly spread rows of larger layers. */
    private static final long ERROR_SAMPLE = 1 << 22;

    private final ArrayDeque<CompletableFuture<Double>> pendingErrors = new ArrayDeque<>();

    /** The system property that picks jmlx's CPU kernels (see the core's kernel provider). */
    private static final String KERNELS_PROPERTY = "jmlx.kernels";

    @Override
    int execute(PrintWriter out) throws IOException {
        if (listMethods) {
            for (QuantizationMethod m : QuantizationMethod.values()) {
                out.println(m.methodName() + " " + m.kind());
            }
            return JmlxCommand.EXIT_OK;
        }
        // One pass of round to nearest over a model is over before the JIT has compiled the Vector API kernels
        // (seconds, during which they run ~100x slower); the plain ones, compiled at once, converted a 75 MB model
        // 3-6x faster and a 1 GB one no slower. Methods that run the model or search keep the fast kernels; an
        // explicit -Djmlx.kernels always decides.
        // (The kernels are chosen once, when the CPU backend first needs them: so this comes before run().)
        if (System.getProperty(KERNELS_PROPERTY) == null && bitsPerWeight == null && isRoundToNearest(methodName)) {
            System.setProperty(KERNELS_PROPERTY, "scalar");
        }
        try (Stream.Scope scope = device.use()) {
            errors = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "jmlx-convert-errors");
                t.setDaemon(true);
                return t;
            });
            try {
                return run(out);
            } finally {
                errors.shutdownNow();
            }
        }
    }

    private int run(PrintWriter out) throws IOException {
        long start = System.nanoTime();
        QuantizationSettings global = globalSettings();
        QuantizationMethod chosen = chosenMethod(global);
        method = chosen;
        List<LayerRule> rules = rules(global);
        long maxShard = parseSize(shardSize);
        DType forcedType = parseDtype();
        requireExisting(input);
        checkDirectoryOutput(input);
        checkSummaryFile();

        try (ModelCheckpoint in = ModelCheckpoint.open(input)) {
            ObjectNode config = in.config();
            DType castTo = forcedType != null ? forcedType : configDtype(config);
            for (String name : in.names()) {
                if (name.endsWith(".scales")) {
                    throw CommandFailure.failed(
                            "the input is already quantized (it has " + name + "); convert "
                                    + "quantizes dense models: run 'jmlx dequantize' on it first",
                            null);
                }
            }

            Map<String, Layer> layers = new LinkedHashMap<>();
            Map<String, String> denseNotes = new LinkedHashMap<>();
            Map<String, QuantizationSettings> configLayers = new LinkedHashMap<>();
            for (String name : in.names()) {
                TensorInfo info = in.info(name);
                if (!name.endsWith(".weight") || !FLOATS.contains(info.dtype()) || info.shape().length != 2) {
                    continue;
                }
                String path = name.substring(0, name.length() - ".weight".length());
                Optional<LayerRule> rule = LayerRule.first(rules, path);
                if (rule.isPresent() && rule.get().settings() == null) {
                    configLayers.put(path, null);
                    denseNotes.put(name, "skipped by " + rule.get().text());
                    continue;
                }
                QuantizationSettings s = rule.map(LayerRule::settings).orElse(global);
                int last = info.shape()[1];
                if (last % s.groupSize() != 0) {
                    denseNotes.put(
                            name,
                            "kept dense: last dimension " + last + " is not divisible by the group size "
                                    + s.groupSize());
                    continue;
                }
                if (rule.isPresent()) {
                    configLayers.put(path, s);
                }
                layers.put(
                        path, new Layer(path, info, s, rule.map(LayerRule::text).orElse(null)));
            }

            CalibratedModel model = null;
            Calibration inputs = null;
            if (chosen.kind() == QuantizationMethod.Kind.CALIBRATED || (bitsPerWeight != null && calibration != null)) {
                model = calibratedModel(in);
                inputs = calibrationInputs(model);
            }
            if (bitsPerWeight != null) {
                plan(in, layers, castTo, model, inputs).forEach((path, s) -> {
                    Layer old = layers.get(path);
                    layers.put(path, new Layer(path, old.weight, s, BUDGET));
                    if (!s.equals(global)) {
                        configLayers.put(path, s);
                    }
                });
            }
            if (chosen.kind() == QuantizationMethod.Kind.CALIBRATED) {
                quantizeCalibrated(model.module(), layers, global, chosen, inputs);
            }

            QuantizationConfig quantization = QuantizationConfig.of(global).withLayers(configLayers);
            config.set("quantization", quantization.toJson());

            Map<String, Layer> byOutput = new LinkedHashMap<>();
            List<TensorSpec> specs = new ArrayList<>();
            for (String name : in.names()) {
                TensorInfo info = in.info(name);
                String path = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
                Layer layer = path == null ? null : layers.get(path);
                if (layer == null) {
                    specs.add(new TensorSpec(name, castType(info.dtype(), castTo), info.shape()));
                    continue;
                }
                for (TensorSpec part : quantizedSpecs(layer, castType(info.dtype(), castTo))) {
                    specs.add(part);
                    byOutput.put(part.name(), layer);
                    layer.partsLeft++;
                }
            }

            PrintWriter err = spec.commandLine().getErr();
            out.println("jmlx convert: " + input + " -> " + output + " ("
                    + (bitsPerWeight == null ? global : bitsPerWeight + " bits per weight") + ", method " + chosen
                    + (castTo == null ? "" : "; dense tensors and scales as " + castTo) + ")");
            out.flush();
            long outputBytes = specs.stream().mapToLong(TensorSpec::byteSize).sum();
            Progress progress = new Progress(err, Progress.onTerminal(), "converting", outputBytes);
            CheckpointWriter.to(output)
                    .replaceExisting(force)
                    .shardBytes(maxShard)
                    .copyFiles(in.isDirectory() ? CarriedFiles.of(in.path()) : List.of())
                    .listener((s, done, total) -> progress.update(done, s.name()))
                    .write(config, specs, s -> data(in, s, byOutput.get(s.name()), castTo));
            progress.finish();

            ObjectNode summary = report(out, in, layers, denseNotes, outputBytes, start);
            if (jsonSummary != null) {
                summary.put("input", input.toString()).put("output", output.toString());
                summary.set("quantization", quantization.toJson());
                summary.put("method", chosen.methodName());
                if (bitsPerWeight != null) {
                    summary.put("bits_per_weight", bitsPerWeight);
                }
                writeSummary(summary);
            }
            return JmlxCommand.EXIT_OK;
        }
    }

    /** The data of one output tensor: a part of a quantized layer (computed on first use), or a (cast) copy. */
    private MemorySegment data(ModelCheckpoint in, TensorSpec spec, Layer layer, DType castTo) {
        if (layer == null) {
            Array a = in.get(spec.name());
            return spec.dtype() == a.dtype() ? a.data() : evaluate(Jmlx.astype(a, spec.dtype()), spec.name());
        }
        if (layer.parts == null) {
            Array w = in.get(layer.weight.name());
            DType type = castType(w.dtype(), castTo);
            Array source = type == w.dtype() ? w : Jmlx.astype(w, type);
            QuantizationSettings s = layer.settings;
            QuantizedParts parts;
            try {
                parts = layer.calibrated != null ? layer.calibrated : method.quantizeDataFree(source, s);
                layer.calibrated = null;
            } catch (IllegalArgumentException | EvaluationException e) {
                throw CommandFailure.failed("cannot quantize " + layer.path + ": " + e.getMessage(), e);
            }
            layer.parts = parts;
            if (pendingErrors.size() == 2) {
                pendingErrors.removeFirst().join();
            }
            layer.error = CompletableFuture.supplyAsync(
                    () -> ReconstructionError.relative(source, parts, s, ERROR_SAMPLE), errors);
            pendingErrors.addLast(layer.error);
        }
        String suffix = spec.name().substring(layer.path.length());
        Array part = switch (suffix) {
            case ".weight" -> layer.parts.packed();
            case ".scales" -> layer.parts.scales();
            default -> layer.parts.biases();
        };
        if (part.dtype() != spec.dtype()) {
            part = Jmlx.astype(part, spec.dtype()); // calibrated parts come in the model's type
        }
        MemorySegment data = evaluate(part, spec.name());
        layer.bytesAfter += part.nbytes();
        if (--layer.partsLeft == 0) {
            layer.parts = null; // the next layer may reuse the memory
        }
        return data;
    }

    /** A layer's reconstruction error, once computed (a quantization that failed is reported as such). */
    private static double error(Layer layer) {
        try {
            return layer.error.join();
        } catch (CompletionException e) {
            throw CommandFailure.failed(
                    "cannot quantize " + layer.path + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static MemorySegment evaluate(Array a, String name) {
        try {
            return a.data();
        } catch (EvaluationException e) {
            throw CommandFailure.failed("cannot compute " + name + ": " + e.getMessage(), e);
        }
    }

    /** The tensors a quantized layer becomes: packed weight, scales and (affine) biases, with their shapes. */
    private static List<TensorSpec> quantizedSpecs(Layer layer, DType floatType) {
        int[] shape = layer.weight.shape();
        int rows = shape[0];
        int cols = shape[1];
        QuantizationSettings s = layer.settings;
        List<TensorSpec> parts = new ArrayList<>();
        DType scaleType = s.mode().isAffine() ? floatType : DType.UINT8;
        if (s.mode().isAffine()) {
            parts.add(new TensorSpec(layer.path + ".biases", scaleType, new int[] {rows, cols / s.groupSize()}));
        }
        parts.add(new TensorSpec(layer.path + ".scales", scaleType, new int[] {rows, cols / s.groupSize()}));
        parts.add(new TensorSpec(layer.path + ".weight", DType.UINT32, new int[] {rows, cols * s.bits() / 32}));
        return parts;
    }

    private static DType castType(DType type, DType castTo) {
        return castTo != null && FLOATS.contains(type) ? castTo : type;
    }

    /** Prints the closing table and totals; returns the same as JSON (layers, dense, totals). */
    private ObjectNode report(
            PrintWriter out,
            ModelCheckpoint in,
            Map<String, Layer> layers,
            Map<String, String> notes,
            long written,
            long start) {
        ObjectNode summary = JsonNodeFactory.instance.objectNode();
        ArrayNode layerArray = summary.putArray("layers");
        ArrayNode denseArray = summary.putArray("dense");
        TextTable table =
                new TextTable("layer", "shape", "quantization", "before", "after", "rel. error").alignRight(3, 4);
        long before = 0;
        long after = 0;
        for (Layer l : layers.values()) {
            double error = error(l);
            String how = l.settings.mode().isAffine()
                    ? l.settings.bits() + "-bit g" + l.settings.groupSize()
                    : l.settings.mode().mlxName() + " g" + l.settings.groupSize();
            table.add(
                    l.path,
                    Shape.format(l.weight.shape()),
                    how + (l.rule == null ? "" : BUDGET.equals(l.rule) ? " +" : " *"),
                    size(l.weight.byteSize()),
                    size(l.bytesAfter),
                    String.format(Locale.ROOT, "%.4f", error));
            ObjectNode n = layerArray.addObject().put("path", l.path);
            shape(n, l.weight.shape());
            n.set("quantization", QuantizationConfig.of(l.settings).toJson());
            n.put("rule", l.rule)
                    .put("bytes_before", l.weight.byteSize())
                    .put("bytes_after", l.bytesAfter)
                    .put("relative_error", error);
            before += l.weight.byteSize();
            after += l.bytesAfter;
        }
        for (Map.Entry<String, String> e : notes.entrySet()) {
            TensorInfo info = in.info(e.getKey());
            table.add(e.getKey(), Shape.format(info.shape()), "dense", size(info.byteSize()), "", e.getValue());
            ObjectNode n = denseArray.addObject().put("name", e.getKey());
            shape(n, info.shape());
            n.put("bytes", info.byteSize()).put("note", e.getValue());
        }
        table.print(out);
        if (layers.values().stream().anyMatch(l -> l.rule != null && !BUDGET.equals(l.rule))) {
            out.println("  * set by an --override rule");
        }
        if (layers.values().stream().anyMatch(l -> BUDGET.equals(l.rule))) {
            long weights = 0;
            double bits = 0;
            for (Layer l : layers.values()) {
                long n = (long) l.weight.shape()[0] * l.weight.shape()[1];
                weights += n;
                bits += 8.0 * l.bytesAfter;
            }
            out.println(String.format(
                    Locale.ROOT,
                    "  + chosen by --bits-per-weight %s: %.3f bits per weight over the quantized layers",
                    bitsPerWeight,
                    bits / weights));
        }
        long inBytes = in.dataBytes();
        long outBytes = written;
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println(String.format(
                Locale.ROOT,
                "total: %d layers quantized (%s -> %s), %d kept dense; tensors %s -> %s "
                        + "(%s) in %.2f s, %.1f MB/s of input",
                layers.size(),
                size(before),
                size(after),
                notes.size(),
                size(inBytes),
                size(outBytes),
                ratio(inBytes, outBytes),
                seconds,
                inBytes / 1e6 / seconds));
        out.println("wrote " + output);
        summary.putObject("totals")
                .put("layers_quantized", layers.size())
                .put("kept_dense", notes.size())
                .put("layer_bytes_before", before)
                .put("layer_bytes_after", after)
                .put("bytes_in", inBytes)
                .put("bytes_out", outBytes)
                .put("seconds", seconds);
        return summary;
    }

    private static void shape(ObjectNode node, int[] shape) {
        ArrayNode a = node.putArray("shape");
        for (int d : shape) {
            a.add(d);
        }
    }

    /** Writes the JSON summary under a temporary name beside {@code --json-summary} and renames it into place. */
    private void writeSummary(ObjectNode summary) throws IOException {
        Path target = jsonSummary.toAbsolutePath();
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(
                    temp, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    // ---------------------------------------------------------------- methods and budgets

    /** The model for calibrated work, or a usage error saying why there is none. */
    private CalibratedModel calibratedModel(ModelCheckpoint in) throws IOException {
        if (calibration == null) {
            throw CommandFailure.usage("the method " + method + " is calibrated: give --calibration FILE (text) or "
                    + "--calibration self (a decoder writes its own)");
        }
        try {
            return CalibratedModel.load(in)
                    .orElseThrow(() -> CommandFailure.usage("--calibration needs a model jmlx can run: config.json "
                            + "with model_type llama, mistral or bert, or a BERT ONNX export; " + input
                            + " is none of these"));
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("cannot build the model in " + input + ": " + e.getMessage(), e);
        }
    }

    /** The --calibration inputs for {@code model}. */
    private Calibration calibrationInputs(CalibratedModel model) throws IOException {
        try {
            if ("self".equals(calibration)) {
                return model.selfCalibration(0);
            }
            Path file = Path.of(calibration);
            if (!Files.isRegularFile(file)) {
                throw CommandFailure.usage("--calibration " + calibration + " is neither 'self' nor a file");
            }
            return model.textCalibration(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage("--calibration " + calibration + ": " + e.getMessage());
        }
    }

    /** The --bits-per-weight plan for the layers no rule set. */
    private Map<String, QuantizationSettings> plan(
            ModelCheckpoint in, Map<String, Layer> layers, DType castTo, CalibratedModel model, Calibration inputs) {
        List<String> planned = layers.values().stream()
                .filter(l -> l.rule == null)
                .map(l -> l.path)
                .toList();
        try {
            if (model != null) {
                Module module = model.module();
                return MixedPrecision.plan(
                                module, (path, m) -> QuantizeDecision.of(planned.contains(path)), bitsPerWeight, inputs)
                        .layers();
            }
            Map<String, Array> weights = new LinkedHashMap<>();
            for (String path : planned) {
                Array w = in.get(path + ".weight");
                DType type = castType(w.dtype(), castTo);
                weights.put(path, type == w.dtype() ? w : Jmlx.astype(w, type));
            }
            return BitBudget.plan(weights, bitsPerWeight, path -> 1.0);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage("--bits-per-weight " + bitsPerWeight + ": " + e.getMessage());
        }
    }

    /** Quantizes the model's layers with the calibrated method; their parts are then written as they are. */
    private static void quantizeCalibrated(
            Module module,
            Map<String, Layer> layers,
            QuantizationSettings global,
            QuantizationMethod method,
            Calibration inputs) {
        Map<String, Module> leaves = module.leafModules();
        try {
            Quantization.quantize(
                    module,
                    global,
                    (path, m) -> layers.containsKey(path) && leaves.containsKey(path)
                            ? QuantizeDecision.with(layers.get(path).settings)
                            : QuantizeDecision.skip(),
                    method,
                    inputs);
        } catch (IllegalArgumentException | EvaluationException e) {
            throw CommandFailure.failed("cannot quantize with " + method + ": " + e.getMessage(), e);
        }
        module.leafModules().forEach((path, m) -> {
            if (m instanceof QuantizedLayer q && layers.containsKey(path)) {
                layers.get(path).calibrated = new QuantizedParts(q.weight(), q.scales(), q.biases());
            }
        });
    }

    // ---------------------------------------------------------------- options

    /** The --method, checked against the settings and the other options. */
    /** Whether --method names round to nearest (a name that does not parse is reported by {@link #chosenMethod}). */
    private static boolean isRoundToNearest(String name) {
        try {
            return QuantizationMethod.parse(name) == QuantizationMethod.RTN;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private QuantizationMethod chosenMethod(QuantizationSettings global) {
        QuantizationMethod m;
        try {
            m = QuantizationMethod.parse(methodName);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(e.getMessage());
        }
        if (m != QuantizationMethod.RTN && !global.mode().isAffine()) {
            throw CommandFailure.usage("--method " + m + " quantizes in affine mode only, not " + global.mode());
        }
        if (bitsPerWeight != null && !global.mode().isAffine()) {
            throw CommandFailure.usage(
                    "--bits-per-weight chooses affine settings; it cannot be used with --mode " + global.mode());
        }
        if (calibration != null && m.kind() != QuantizationMethod.Kind.CALIBRATED && bitsPerWeight == null) {
            throw CommandFailure.usage("--calibration is used by calibrated methods and --bits-per-weight; the method "
                    + m + " is " + m.kind());
        }
        return m;
    }

    private QuantizationSettings globalSettings() {
        try {
            return QuantizationSettings.resolve(quantization.groupSize, quantization.bits, quantization.mode);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(e.getMessage());
        }
    }

    /** The --override and --skip rules in the order they were given on the command line. */
    private List<LayerRule> rules(QuantizationSettings global) {
        List<LayerRule> rules = new ArrayList<>();
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int nextOverride = 0;
        int nextSkip = 0;
        for (String arg : args) {
            if (arg.equals("--override") || arg.startsWith("--override=")) {
                rules.add(LayerRule.override(overrides.get(nextOverride++), global));
            } else if (arg.equals("--skip") || arg.startsWith("--skip=")) {
                rules.add(LayerRule.skip(skips.get(nextSkip++)));
            }
        }
        return rules;
    }

    /** The folder of {@code --json-summary} must exist, and the file must not be a folder (usage errors). */
    private void checkSummaryFile() {
        if (jsonSummary == null) {
            return;
        }
        Path target = jsonSummary.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw CommandFailure.usage("--json-summary " + jsonSummary + " is a folder; give a file name");
        }
        if (!Files.isDirectory(target.getParent())) {
            throw CommandFailure.usage(
                    "the folder of --json-summary " + jsonSummary + " does not exist: " + target.getParent());
        }
    }

    private DType parseDtype() {
        if (dtype == null) {
            return null;
        }
        DType t;
        try {
            t = DType.parse(dtype);
        } catch (IllegalArgumentException e) {
            t = null;
        }
        if (t == null || !FLOATS.contains(t)) {
            throw CommandFailure.usage("--dtype must be float16, bfloat16 or float32 but is '" + dtype + "'");
        }
        return t;
    }

    /** mlx-lm's default: the config's {@code torch_dtype} (or {@code dtype}) when it is a float type jmlx writes. */
    private static DType configDtype(ObjectNode config) {
        JsonNode t = config.has("torch_dtype") ? config.get("torch_dtype") : config.get("dtype");
        if (t == null || !t.isTextual()) {
            return null;
        }
        try {
            DType d = DType.parse(t.textValue());
            return FLOATS.contains(d) ? d : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code 5GiB}, {@code 500MB}, {@code 1.5GB}, {@code 4096}: decimal (kB, MB, GB) or binary (KiB, MiB, GiB). */
    static long parseSize(String text) {
        String t = text.trim();
        String[][] units = {
            {"KiB", "1024"},
            {"MiB", "1048576"},
            {"GiB", "1073741824"},
            {"TiB", "1099511627776"},
            {"kB", "1000"},
            {"KB", "1000"},
            {"MB", "1000000"},
            {"GB", "1000000000"},
            {"TB", "1000000000000"},
            {"B", "1"}
        };
        long factor = 1;
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                factor = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            double v = Double.parseDouble(t);
            long bytes = (long) (v * factor);
            if (!(v > 0) || bytes <= 0) {
                throw new NumberFormatException();
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw CommandFailure.usage(
                    "--shard-size must be a positive size such as 5GiB, 500MB or 4096 but is '" + text + "'");
        }
    }
}
