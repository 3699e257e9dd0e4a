package io.jmlx.cli;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.io.SafetensorsFile;
import io.jmlx.io.SafetensorsWriter;
import io.jmlx.io.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code jmlx dequantize}: the inverse of {@code jmlx quantize}. Every MLX quantized trio ({@code P.weight} uint32
 * with {@code P.scales} and {@code P.biases}) becomes a dense {@code P.weight} in the scales' type, as MLX's
 * {@code dequantize} computes it; every other tensor is copied.
 */
@Command(name = "dequantize",
        mixinStandardHelpOptions = true,
        header = "Turn an MLX-quantized checkpoint back into dense weights.",
        versionProvider = JmlxCommand.Version.class,
        description = {
                "Dequantizes a checkpoint in MLX's quantized layout.",
                "",
                "Each uint32 tensor P.weight with P.scales and P.biases beside it becomes a dense P.weight "
                        + "(w = scale * code + bias, in the scales' type, as MLX computes it); P.scales and P.biases "
                        + "are dropped and every other tensor is copied. The output has sorted keys and the input's "
                        + "metadata without jmlx.quantization.",
                "",
                "Group size and bits are taken, in this order, from:",
                "  1. --group-size and --bits (each one on its own);",
                "  2. the input's metadata jmlx.quantization (written by 'jmlx quantize');",
                "  3. MLX's defaults: group size 64, 4 bits.",
                "Every tensor's shapes must fit them: packed last dim * 32 / bits = scales last dim * group size. "
                        + "When neither the options nor the metadata give the values and a tensor does not fit "
                        + "64/4, the one pair of group size (32, 64, 128) and bits (2, 3, 4, 5, 6, 8) that fits is "
                        + "used, with a note. The shapes only reveal bits * group size, so when several pairs fit "
                        + "(e.g. 32/8, 64/4 and 128/2) the command stops and asks for --group-size and --bits."},
        footerHeading = "%nExample:%n",
        footer = "  jmlx dequantize --input model-4bit.safetensors --output model.safetensors")
public final class DequantizeCommand extends OutputCommand {
    private static final int DEFAULT_GROUP_SIZE = 64;
    private static final int DEFAULT_BITS = 4;
    private static final int[] GROUP_SIZES = {32, 64, 128};
    private static final int[] BITS = {2, 3, 4, 5, 6, 8};

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "The quantized safetensors checkpoint.")
    Path input;

    @Option(names = {"-b", "--bits"}, paramLabel = "B",
            description = "Bits per weight (default: from the input's metadata, else 4).")
    Integer bits;

    @Option(names = {"-g", "--group-size"}, paramLabel = "G",
            description = "Weights per scale and bias (default: from the input's metadata, else 64).")
    Integer groupSize;

    /** Group size and bits for the file, and where they came from. */
    private record Settings(int groupSize, int bits, boolean fromOptions, boolean fromMetadata) {
        String source() {
            if (fromOptions) {
                return fromMetadata ? "from the options and the input's metadata" : "from --group-size/--bits";
            }
            return fromMetadata ? "from the input's " + QuantizationMetadata.KEY + " metadata" : "MLX's defaults";
        }
    }

    @Override
    int execute(PrintWriter out) throws IOException {
        long start = System.nanoTime();
        if (bits != null && (bits < 1 || bits > 8)) {
            throw CommandFailure.usage("--bits must be between 1 and 8 but is " + bits);
        }
        if (groupSize != null && groupSize <= 0) {
            throw CommandFailure.usage("--group-size must be positive but is " + groupSize);
        }
        requireInput(input);
        checkOutput(input);

        try (SafetensorsFile in = SafetensorsFile.open(input)) {
            Settings settings = settings(in);
            Map<String, Array> tensors = new TreeMap<>();
            Map<String, Array> dense = new LinkedHashMap<>();
            Map<String, String> descriptions = new LinkedHashMap<>();
            Map<String, String> notes = new LinkedHashMap<>();
            Set<String> consumed = new HashSet<>();
            for (String name : in.names()) {
                if (!name.endsWith(".weight") || in.info(name).dtype() != DType.UINT32) {
                    continue;
                }
                String prefix = name.substring(0, name.length() - ".weight".length());
                String scalesName = prefix + ".scales";
                String biasesName = prefix + ".biases";
                if (!in.contains(scalesName) || !in.contains(biasesName)) {
                    notes.put(name, "uint32 without " + (in.contains(scalesName) ? biasesName : scalesName)
                            + ": not an affine quantized weight");
                    continue;
                }
                TensorInfo w = in.info(name);
                TensorInfo s = in.info(scalesName);
                TensorInfo b = in.info(biasesName);
                if (!s.dtype().isFloating() || !b.dtype().isFloating()) {
                    notes.put(name, "scales/biases are " + s.dtype() + "/" + b.dtype() + ", not floating: not affine");
                    continue;
                }
                int[] gb = fit(name, w, s, b, settings);
                if (gb[0] != settings.groupSize() || gb[1] != settings.bits()) {
                    notes.put(name, "group size " + gb[0] + " and " + gb[1] + " bits inferred from the shapes");
                }
                Array d;
                try {
                    d = Jmlx.dequantize(in.get(name), in.get(scalesName), in.get(biasesName), gb[0], gb[1]);
                } catch (IllegalArgumentException e) {
                    throw CommandFailure.failed("cannot dequantize " + name + ": " + e.getMessage(), e);
                }
                dense.put(name, d);
                descriptions.put(name, Shape.format(w.shape()) + " " + gb[1] + "-bit, group " + gb[0] + " -> "
                        + Shape.format(d.shape()) + " " + d.dtype());
                consumed.add(scalesName);
                consumed.add(biasesName);
                tensors.put(name, d);
            }

            TensorReport report = new TensorReport();
            for (String name : in.names()) {
                TensorInfo info = in.info(name);
                Array d = dense.get(name);
                if (d != null) {
                    try {
                        Jmlx.eval(d);
                    } catch (EvaluationException e) {
                        throw CommandFailure.failed("cannot dequantize " + name + ": " + e.getMessage(), e);
                    }
                    long before = info.byteSize() + in.info(prefixOf(name) + ".scales").byteSize()
                            + in.info(prefixOf(name) + ".biases").byteSize();
                    report.add("dequantized", name, descriptions.get(name), before, d.nbytes(), notes.get(name));
                } else if (consumed.contains(name)) {
                    continue;
                } else {
                    tensors.put(name, in.get(name));
                    report.add("copied", name, Shape.format(info.shape()) + " " + info.dtype(), info.byteSize(),
                            info.byteSize(), notes.get(name));
                }
            }

            Map<String, String> metadata = new LinkedHashMap<>(in.metadata());
            metadata.remove(QuantizationMetadata.KEY);
            SafetensorsWriter.write(output, tensors, metadata);

            out.println("jmlx dequantize: " + input + " -> " + output + " (group size " + settings.groupSize()
                    + ", " + settings.bits() + " bits, " + settings.source() + ")");
            report.print(out);
            if (dense.isEmpty()) {
                out.println("note: no quantized weight (uint32 P.weight with P.scales and P.biases) was found; "
                        + "everything was copied");
            }
            out.println("total: " + report.size() + " tensors (" + dense.size() + " dequantized, "
                    + (report.size() - dense.size()) + " copied), " + bytes(report.bytesBefore()) + " -> "
                    + bytes(report.bytesAfter()) + " (" + ratio(report.bytesBefore(), report.bytesAfter()) + ") in "
                    + since(start));
            out.println("wrote " + output + " (" + bytes(Files.size(output)) + ")");
            return JmlxCommand.EXIT_OK;
        }
    }

    private static String prefixOf(String weightName) {
        return weightName.substring(0, weightName.length() - ".weight".length());
    }

    private Settings settings(SafetensorsFile in) {
        QuantizationMetadata recorded;
        try {
            recorded = QuantizationMetadata.read(in.metadata());
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("the input's " + e.getMessage(), e);
        }
        if (recorded != null && !recorded.mode().equals("affine")) {
            throw CommandFailure.failed("the input's " + QuantizationMetadata.KEY + " metadata says mode '"
                    + recorded.mode() + "'; only affine quantization can be dequantized", null);
        }
        boolean metaG = groupSize == null && recorded != null;
        boolean metaB = bits == null && recorded != null;
        int g = groupSize != null ? groupSize : recorded != null ? recorded.groupSize() : DEFAULT_GROUP_SIZE;
        int b = bits != null ? bits : recorded != null ? recorded.bits() : DEFAULT_BITS;
        return new Settings(g, b, groupSize != null || bits != null, metaG || metaB);
    }

    /**
     * The group size and bits to use for one trio: the file's settings when the shapes fit them, else (only when
     * the settings are MLX's defaults) the single supported pair that fits.
     */
    private static int[] fit(String name, TensorInfo w, TensorInfo s, TensorInfo b, Settings settings) {
        int[] ws = w.shape();
        int[] ss = s.shape();
        if (!Arrays.equals(ss, b.shape()) || ws.length < 2 || ss.length != ws.length
                || !Arrays.equals(Arrays.copyOf(ss, ss.length - 1), Arrays.copyOf(ws, ws.length - 1))) {
            throw CommandFailure.failed(name + " " + Shape.format(ws) + ", its scales " + Shape.format(ss)
                    + " and biases " + Shape.format(b.shape()) + " do not fit together: scales and biases must have "
                    + "the weight's shape but for the last dimension", null);
        }
        if (fits(ws, ss, settings.groupSize(), settings.bits())) {
            return new int[] {settings.groupSize(), settings.bits()};
        }
        List<int[]> candidates = new ArrayList<>();
        for (int g : GROUP_SIZES) {
            for (int bb : BITS) {
                if (fits(ws, ss, g, bb)) {
                    candidates.add(new int[] {g, bb});
                }
            }
        }
        boolean defaults = !settings.fromOptions() && !settings.fromMetadata();
        if (defaults && candidates.size() == 1) {
            return candidates.get(0);
        }
        StringBuilder fitting = new StringBuilder();
        for (int[] c : candidates) {
            fitting.append(fitting.isEmpty() ? "" : ", ").append("--group-size ").append(c[0]).append(" --bits ")
                    .append(c[1]);
        }
        String message = name + ": packed shape " + Shape.format(ws) + " and scales shape " + Shape.format(ss)
                + " do not fit group size " + settings.groupSize() + " and " + settings.bits() + " bits ("
                + settings.source() + ")" + (candidates.isEmpty() ? "; no supported group size and bits fit them"
                : "; they fit " + fitting + (defaults ? ": pick one" : ""));
        throw settings.fromOptions() ? CommandFailure.usage(message) : CommandFailure.failed(message, null);
    }

    /** MLX's shape rule: {@code words * 32 / bits == groups * groupSize}, in integers. */
    private static boolean fits(int[] w, int[] s, int groupSize, int bits) {
        long words = w[w.length - 1];
        long groups = s[s.length - 1];
        return words * 32 % bits == 0 && words * 32 / bits == groups * groupSize;
    }
}
