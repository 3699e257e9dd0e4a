package io.jmlx.cli;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.io.TensorInfo;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.io.safetensors.SafetensorsWriter;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.stream.Stream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jmlx quantize}: turns the linear weights of a safetensors checkpoint into MLX's quantized layout
 * ({@code P.weight} packed uint32 codes and {@code P.scales}, plus {@code P.biases} in affine mode), copying every
 * other tensor.
 */
@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        header = "Quantize the .weight tensors of a safetensors checkpoint (MLX's layout, any MLX mode).",
        versionProvider = JmlxCommand.Version.class,
        description = {
            "Quantizes a safetensors checkpoint the way MLX (mlx-lm) does, bit-exact with MLX's CPU backend.",
            "",
            "Every float32, float16 or bfloat16 tensor whose name ends in '.weight', with at least 2 dimensions "
                    + "and a last dimension divisible by the group size, is quantized; P is the name without "
                    + "'.weight'. Affine mode gives MLX's trio P.weight (uint32 packed codes), P.scales and "
                    + "P.biases (in the weight's type); the microscaling modes mxfp4, mxfp8 and nvfp4 give "
                    + "P.weight (uint32) and P.scales (uint8) and no P.biases. Every other tensor is copied "
                    + "unchanged; a '.weight' that does not qualify is copied with a note saying why.",
            "",
            "Modes, with their default group size / bits:",
            "  affine  64 / 4  a float scale and bias per group (group size 32, 64 or",
            "                  128; bits 2, 3, 4, 5, 6 or 8)",
            "  mxfp4   32 / 4  FP4 (E2M1) elements, a power-of-two (E8M0) scale per group",
            "  mxfp8   32 / 8  FP8 (E4M3) elements, a power-of-two (E8M0) scale per group",
            "  nvfp4   16 / 4  FP4 (E2M1) elements, an FP8 (E4M3) scale per group; here",
            "                  quantized without a global scale",
            "The microscaling modes accept only their own group size and bits.",
            "",
            "The output has sorted keys, the input's metadata plus {\"format\": \"mlx\"} and "
                    + "jmlx.quantization = {\"group_size\": G, \"bits\": B, \"mode\": M} (read back by "
                    + "'jmlx dequantize'). The input is only read."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx quantize --input model.safetensors --output model-8bit.safetensors -b 8",
            "  jmlx quantize -i model.safetensors -o model-mxfp4.safetensors --mode mxfp4"
        })
public final class QuantizeCommand extends OutputCommand {
    @Mixin
    DeviceOption device;

    @Option(
            names = {"-i", "--input"},
            required = true,
            paramLabel = "FILE",
            description = "The safetensors checkpoint to quantize.")
    Path input;

    @Mixin
    QuantizationOptions quantization;

    /** The mode, group size and bits in effect (set by {@link #checkSettings}). */
    private QuantizationSettings settings;

    private static final Set<DType> QUANTIZABLE = Set.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);

    @Override
    int execute(PrintWriter out) throws IOException {
        try (Stream.Scope scope = device.use()) {
            return run(out);
        }
    }

    private int run(PrintWriter out) throws IOException {
        long start = System.nanoTime();
        checkSettings();
        requireInput(input);
        checkOutput(input);
        int g = settings.groupSize();
        int b = settings.bits();

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
                for (String part : new String[] {".scales", ".biases"}) { // biases too: a stray one would be kept
                    if (in.contains(prefix + part)) {
                        throw CommandFailure.failed(
                                "the input already has " + prefix + part + ", which quantizing " + name
                                        + " would replace; is the file partly quantized already?",
                                null);
                    }
                }
                QuantizedParts q;
                try {
                    q = Jmlx.quantize(in.get(name), settings);
                } catch (IllegalArgumentException e) {
                    throw CommandFailure.failed("cannot quantize " + name + ": " + e.getMessage(), e);
                }
                quantized.put(name, q);
                put(tensors, name, q.packed());
                put(tensors, prefix + ".scales", q.scales());
                if (q.biases() != null) {
                    put(tensors, prefix + ".biases", q.biases());
                }
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
                Array[] parts = q.biases() == null
                        ? new Array[] {q.packed(), q.scales()}
                        : new Array[] {q.packed(), q.scales(), q.biases()};
                try {
                    Jmlx.eval(parts);
                } catch (EvaluationException e) {
                    throw CommandFailure.failed("cannot quantize " + name + ": " + e.getMessage(), e);
                }
                long after = 0;
                for (Array part : parts) {
                    after += part.nbytes();
                }
                String how = settings.mode().isAffine() ? b + "-bit, group " + g : settings.mode() + ", group " + g;
                report.add("quantized", name, what + " -> " + how, info.byteSize(), after, null);
            }

            Map<String, String> metadata = new LinkedHashMap<>(in.metadata());
            metadata.put("format", "mlx");
            metadata.put(QuantizationMetadata.KEY, QuantizationMetadata.toJson(settings));
            SafetensorsWriter.write(output, tensors, metadata);

            out.println("jmlx quantize: " + input + " -> " + output + " (" + settings.mode() + ", " + b
                    + " bits, group size " + g + ")");
            report.print(out);
            if (quantized.isEmpty()) {
                out.println("note: no tensor qualified (names ending in .weight, float32/float16/bfloat16, at least 2 "
                        + "dimensions, last dimension divisible by " + g + "); everything was copied");
            }
            out.println("total: " + report.size() + " tensors (" + quantized.size() + " quantized, "
                    + (report.size() - quantized.size()) + " copied), " + bytes(report.bytesBefore()) + " -> "
                    + bytes(report.bytesAfter()) + " (" + ratio(report.bytesBefore(), report.bytesAfter()) + ") in "
                    + since(start));
            out.println("wrote " + output + " (" + bytes(Files.size(output)) + ")");
            return JmlxCommand.EXIT_OK;
        }
    }

    /**
     * Checks mode, group size and bits before anything is read, with the core's (MLX's) messages, and fills in the
     * mode's defaults for the ones not given.
     */
    private void checkSettings() {
        QuantizationMode quantizationMode;
        try {
            quantizationMode = QuantizationMode.parse("quantize", quantization.mode);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(e.getMessage());
        }
        int g = quantizationMode.groupSizeOr(quantization.groupSize);
        int b = quantizationMode.bitsOr(quantization.bits);
        if (g <= 0) {
            throw CommandFailure.usage("--group-size must be "
                    + (quantizationMode.isAffine()
                            ? "32, 64 or 128"
                            : quantizationMode.defaultGroupSize() + " for " + quantization.mode)
                    + " but is " + g);
        }
        try {
            // A zero-row matrix runs every argument check of quantize and costs nothing to compute.
            Jmlx.quantize(Array.zeros(DType.FLOAT32, 0, g), g, b, quantization.mode, null, null);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage(e.getMessage());
        }
        settings = new QuantizationSettings(g, b, quantizationMode);
    }

    /**
     * An input that already holds quantized tensors may be quantized further only with the settings it recorded:
     * otherwise the output's metadata would describe its old tensors wrongly.
     */
    private static void refuseMixedSettings(SafetensorsFile in, QuantizationSettings settings) {
        String example = null;
        for (String name : in.names()) {
            if (isQuantized(in, name)) {
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
        if (recorded == null || !recorded.describes(settings)) {
            throw CommandFailure.failed(
                    "the input already holds quantized tensors (e.g. " + example + ") "
                            + (recorded == null
                                    ? "with unrecorded settings"
                                    : "quantized in " + recorded.mode() + " mode with group size "
                                            + recorded.groupSize() + " and " + recorded.bits() + " bits")
                            + "; quantizing the rest in " + settings.mode() + " mode with group size "
                            + settings.groupSize() + " and " + settings.bits()
                            + " bits would mislabel them. Dequantize it "
                            + "first"
                            + (recorded == null
                                    ? ""
                                    : ", or use --mode " + recorded.mode() + " --group-size " + recorded.groupSize()
                                            + " --bits " + recorded.bits()),
                    null);
        }
    }

    /**
     * A quantized weight in any mode: a uint32 {@code P.weight} with {@code P.scales} beside it (as mlx-lm
     * decides it, by the presence of the scales).
     */
    private static boolean isQuantized(SafetensorsFile in, String name) {
        if (!name.endsWith(".weight") || in.info(name).dtype() != DType.UINT32) {
            return false;
        }
        String prefix = name.substring(0, name.length() - ".weight".length());
        return in.contains(prefix + ".scales");
    }

    /** {@code null} when the tensor is quantized; otherwise why not ({@code ""}: not a weight, nothing to say). */
    private String whyNotQuantized(SafetensorsFile in, TensorInfo info) {
        if (!info.name().endsWith(".weight")) {
            return "";
        }
        if (isQuantized(in, info.name())) {
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
        int g = settings.groupSize();
        if (last % g != 0) {
            return "not quantized: last dimension " + last + " is not divisible by the group size " + g;
        }
        return null;
    }

    private static void put(Map<String, Array> tensors, String name, Array a) {
        if (tensors.put(name, a) != null) {
            throw CommandFailure.failed("two output tensors would be named " + name, null);
        }
    }
}
