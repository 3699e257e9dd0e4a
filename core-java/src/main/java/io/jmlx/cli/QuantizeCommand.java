package io.jmlx.cli;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.io.SafetensorsFile;
import io.jmlx.io.SafetensorsWriter;
import io.jmlx.io.TensorInfo;
import io.jmlx.quant.QuantizedParts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code jmlx quantize}: turns the linear weights of a safetensors checkpoint into MLX's quantized layout
 * ({@code P.weight} packed uint32 codes, {@code P.scales}, {@code P.biases}), copying every other tensor.
 */
@Command(name = "quantize",
        mixinStandardHelpOptions = true,
        header = "Quantize the .weight tensors of a safetensors checkpoint (MLX's affine layout).",
        versionProvider = JmlxCommand.Version.class,
        description = {
                "Quantizes a safetensors checkpoint the way MLX (mlx-lm) does, bit-exact with MLX's CPU backend.",
                "",
                "Every float32, float16 or bfloat16 tensor whose name ends in '.weight', with at least 2 dimensions "
                        + "and a last dimension divisible by the group size, becomes MLX's trio P.weight (uint32 "
                        + "packed codes), P.scales and P.biases (in the weight's type), where P is the name without "
                        + "'.weight'. Every other tensor is copied unchanged; a '.weight' that does not qualify is "
                        + "copied with a note saying why.",
                "",
                "The output has sorted keys, the input's metadata plus {\"format\": \"mlx\"} and "
                        + "jmlx.quantization = {\"group_size\": G, \"bits\": B, \"mode\": \"affine\"} (read back by "
                        + "'jmlx dequantize'). The input is only read."},
        footerHeading = "%nExample:%n",
        footer = "  jmlx quantize --input model.safetensors --output model-8bit.safetensors -b 8")
public final class QuantizeCommand extends OutputCommand {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "The safetensors checkpoint to quantize.")
    Path input;

    @Option(names = {"-b", "--bits"}, defaultValue = "4", paramLabel = "B",
            description = "Bits per weight: 2, 3, 4, 5, 6 or 8 (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = {"-g", "--group-size"}, defaultValue = "64", paramLabel = "G",
            description = "Weights per scale and bias: 32, 64 or 128 (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(names = "--mode", defaultValue = "affine", paramLabel = "MODE",
            description = "Quantization mode; only 'affine' (MLX's default) is supported (default: ${DEFAULT-VALUE}).")
    String mode;

    private static final Set<DType> QUANTIZABLE = Set.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);

    @Override
    int execute(PrintWriter out) throws IOException {
        long start = System.nanoTime();
        checkSettings();
        requireInput(input);
        checkOutput(input);
        QuantizationMetadata settings = new QuantizationMetadata(groupSize, bits, mode);

        try (SafetensorsFile in = SafetensorsFile.open(input)) {
            refuseMixedSettings(in, settings);
            Map<String, Array> tensors = new TreeMap<>();
            Map<String, QuantizedParts> quantized = new LinkedHashMap<>();
            Map<String, String> notes = new LinkedHashMap<>();
            for (String name : in.names()) {
                TensorInfo info = in.info(name);
                String why = whyNotQuantized(in, info);
                if (why != null) {
                    notes.put(name, why.isEmpty() ? null : why);
                    put(tensors, name, in.get(name));
                    continue;
                }
                String prefix = name.substring(0, name.length() - ".weight".length());
                for (String part : new String[] {".scales", ".biases"}) {
                    if (in.contains(prefix + part)) {
                        throw CommandFailure.failed("the input already has " + prefix + part + ", which quantizing "
                                + name + " would replace; is the file partly quantized already?", null);
                    }
                }
                QuantizedParts q;
                try {
                    q = Jmlx.quantize(in.get(name), groupSize, bits, mode, null);
                } catch (IllegalArgumentException e) {
                    throw CommandFailure.failed("cannot quantize " + name + ": " + e.getMessage(), e);
                }
                quantized.put(name, q);
                put(tensors, name, q.packed());
                put(tensors, prefix + ".scales", q.scales());
                put(tensors, prefix + ".biases", q.biases());
            }

            TensorReport report = new TensorReport();
            for (String name : in.names()) {
                TensorInfo info = in.info(name);
                String what = Shape.format(info.shape()) + " " + info.dtype();
                QuantizedParts q = quantized.get(name);
                if (q == null) {
                    report.add("copied", name, what, info.byteSize(), info.byteSize(), notes.get(name));
                    continue;
                }
                try {
                    Jmlx.eval(q.packed(), q.scales(), q.biases());
                } catch (EvaluationException e) {
                    throw CommandFailure.failed("cannot quantize " + name + ": " + e.getMessage(), e);
                }
                long after = q.packed().nbytes() + q.scales().nbytes() + q.biases().nbytes();
                report.add("quantized", name, what + " -> " + bits + "-bit, group " + groupSize, info.byteSize(),
                        after, null);
            }

            Map<String, String> metadata = new LinkedHashMap<>(in.metadata());
            metadata.put("format", "mlx");
            metadata.put(QuantizationMetadata.KEY, settings.toJson());
            SafetensorsWriter.write(output, tensors, metadata);

            out.println("jmlx quantize: " + input + " -> " + output + " (" + mode + ", " + bits + " bits, group size "
                    + groupSize + ")");
            report.print(out);
            if (quantized.isEmpty()) {
                out.println("note: no tensor qualified (names ending in .weight, float32/float16/bfloat16, at least 2 "
                        + "dimensions, last dimension divisible by " + groupSize + "); everything was copied");
            }
            out.println("total: " + report.size() + " tensors (" + quantized.size() + " quantized, "
                    + (report.size() - quantized.size()) + " copied), " + bytes(report.bytesBefore()) + " -> "
                    + bytes(report.bytesAfter()) + " (" + ratio(report.bytesBefore(), report.bytesAfter()) + ") in "
                    + since(start));
            out.println("wrote " + output + " (" + bytes(Files.size(output)) + ")");
            return JmlxCommand.EXIT_OK;
        }
    }

    /** Checks bits, group size and mode before anything is read, with the core's (MLX's) messages. */
    private void checkSettings() {
        if (groupSize <= 0) {
            throw CommandFailure.usage("--group-size must be 32, 64 or 128 but is " + groupSize);
        }
        try {
            // A zero-row matrix runs every argument check of quantize and costs nothing to compute.
            Jmlx.quantize(Array.zeros(DType.FLOAT32, 0, groupSize), groupSize, bits, mode, null);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(e.getMessage());
        }
    }

    /**
     * An input that already holds quantized tensors may be quantized further only with the settings it recorded:
     * otherwise the output's metadata would describe its old tensors wrongly.
     */
    private static void refuseMixedSettings(SafetensorsFile in, QuantizationMetadata settings) {
        String example = null;
        for (String name : in.names()) {
            if (isQuantizedTrio(in, name)) {
                example = name;
                break;
            }
        }
        if (example == null) {
            return;
        }
        QuantizationMetadata recorded;
        try {
            recorded = QuantizationMetadata.read(in.metadata());
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("the input's " + e.getMessage(), e);
        }
        if (recorded == null || !recorded.equals(settings)) {
            throw CommandFailure.failed("the input already holds quantized tensors (e.g. " + example + ") "
                    + (recorded == null ? "with unrecorded settings" : "quantized with group size "
                    + recorded.groupSize() + " and " + recorded.bits() + " bits")
                    + "; quantizing the rest with group size " + settings.groupSize() + " and " + settings.bits()
                    + " bits would mislabel them. Dequantize it first"
                    + (recorded == null ? "" : ", or use --group-size " + recorded.groupSize() + " --bits "
                    + recorded.bits()), null);
        }
    }

    private static boolean isQuantizedTrio(SafetensorsFile in, String name) {
        if (!name.endsWith(".weight") || in.info(name).dtype() != DType.UINT32) {
            return false;
        }
        String prefix = name.substring(0, name.length() - ".weight".length());
        return in.contains(prefix + ".scales") && in.contains(prefix + ".biases");
    }

    /** {@code null} when the tensor is quantized; otherwise why not ({@code ""}: not a weight, nothing to say). */
    private String whyNotQuantized(SafetensorsFile in, TensorInfo info) {
        if (!info.name().endsWith(".weight")) {
            return "";
        }
        if (isQuantizedTrio(in, info.name())) {
            return "already quantized";
        }
        if (!QUANTIZABLE.contains(info.dtype())) {
            return "not quantized: " + info.dtype() + " is not float32, float16 or bfloat16";
        }
        int[] shape = info.shape();
        if (shape.length < 2) {
            return "not quantized: " + shape.length + " dimension" + (shape.length == 1 ? "" : "s")
                    + "; quantizing needs at least 2";
        }
        int last = shape[shape.length - 1];
        if (last % groupSize != 0) {
            return "not quantized: last dimension " + last + " is not divisible by the group size " + groupSize;
        }
        return null;
    }

    private static void put(Map<String, Array> tensors, String name, Array a) {
        if (tensors.put(name, a) != null) {
            throw CommandFailure.failed("two output tensors would be named " + name, null);
        }
    }
}
