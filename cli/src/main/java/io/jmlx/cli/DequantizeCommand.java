package io.jmlx.cli;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.Shape;
import io.jmlx.io.TensorInfo;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.io.safetensors.SafetensorsFile;
import io.jmlx.io.safetensors.SafetensorsWriter;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.stream.Stream;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jmlx dequantize}: the inverse of {@code jmlx quantize}, in every MLX mode. Each quantized weight (a uint32
 * {@code P.weight} with {@code P.scales}, plus {@code P.biases} in affine mode) becomes a dense {@code P.weight} as
 * MLX's {@code dequantize} computes it; every other tensor is copied.
 */
@Command(
        name = "dequantize",
        mixinStandardHelpOptions = true,
        header = "Turn an MLX-quantized checkpoint (any mode) back into dense weights.",
        versionProvider = JmlxCommand.Version.class,
        description = {
            "Dequantizes a checkpoint in MLX's quantized layout, in any of MLX's modes.",
            "",
            "A quantized weight is a uint32 tensor P.weight with P.scales beside it. In affine mode the scales "
                    + "are floating and P.biases is there too (w = scale * code + bias, in the scales' type); in "
                    + "the microscaling modes mxfp4, mxfp8 and nvfp4 the scales are uint8 and there are no "
                    + "biases (w = element * scale; nvfp4 without a global scale, as 'jmlx quantize' writes "
                    + "it). Each becomes a dense P.weight, computed as MLX's dequantize does; P.scales and "
                    + "P.biases are dropped and every other tensor is copied. The output has sorted keys and "
                    + "the input's metadata without jmlx.quantization.",
            "",
            "The output dtype is --dtype, else MLX's default: the scales' type for affine, bfloat16 for the "
                    + "microscaling modes.",
            "",
            "Mode, group size and bits are taken, in this order, from:",
            "  1. --mode, --group-size and --bits (each one on its own);",
            "  2. the input's metadata jmlx.quantization (written by 'jmlx quantize');",
            "  3. the shapes: uint8 scales mean a microscaling mode, told apart by the",
            "     packed words per scale (4: mxfp4, 8: mxfp8, 2: nvfp4), each with its",
            "     fixed group size and bits; floating scales mean affine, and then",
            "     MLX's defaults apply: group size 64, 4 bits.",
            "Every tensor's shapes must fit them: packed last dim * 32 / bits = scales last dim * group size. "
                    + "For affine, when neither the options nor the metadata give group size and bits and a "
                    + "tensor does not fit 64/4, the one pair of group size (32, 64, 128) and bits (2, 3, 4, 5, "
                    + "6, 8) that fits is used, with a note. The shapes only reveal bits * group size, so when "
                    + "several pairs fit (e.g. 32/8, 64/4 and 128/2) the command stops and asks for "
                    + "--group-size and --bits."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx dequantize --input model-4bit.safetensors --output model.safetensors",
            "  jmlx dequantize -i model-mxfp4.safetensors -o dense.safetensors --dtype float32"
        })
public final class DequantizeCommand extends OutputCommand {
    @Mixin
    DeviceOption device;

    private static final int[] GROUP_SIZES = {32, 64, 128};
    private static final int[] BITS = {2, 3, 4, 5, 6, 8};
    private static final QuantizationMode[] MICROSCALING = {
        QuantizationMode.MXFP4, QuantizationMode.MXFP8, QuantizationMode.NVFP4
    };

    @Option(
            names = {"-i", "--input"},
            required = true,
            paramLabel = "FILE",
            description = "The quantized safetensors checkpoint.")
    Path input;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "affine, mxfp4, mxfp8 or nvfp4 (default: from the input's metadata, else from each "
                    + "weight's scales).")
    String mode;

    @Option(
            names = {"-b", "--bits"},
            paramLabel = "B",
            description =
                    "Bits per weight (default: from the input's metadata, else the mode's: 4, or 8 for " + "mxfp8).")
    Integer bits;

    @Option(
            names = {"-g", "--group-size"},
            paramLabel = "G",
            description = "Weights per scale (default: from the input's metadata, else the mode's: 64 for affine, "
                    + "32 for mxfp4 and mxfp8, 16 for nvfp4).")
    Integer groupSize;

    @Option(
            names = "--dtype",
            paramLabel = "TYPE",
            description = "Output dtype: float32, float16 or bfloat16 (float64 works too; default, as MLX: the "
                    + "scales' type for affine, bfloat16 for mxfp4, mxfp8 and nvfp4).")
    String dtype;

    /** {@link #mode} parsed ({@code null} when not given). */
    private QuantizationMode modeOption;
    /** {@link #dtype} parsed ({@code null}: MLX's default). */
    private DType outType;

    /**
     * The mode, group size and bits for the file ({@code null} where neither options nor metadata give one) and
     * where they came from. With no mode, each weight's scales decide it.
     */
    private record Settings(
            QuantizationMode mode,
            Integer groupSize,
            Integer bits,
            boolean modeFromOptions,
            boolean valuesFromOptions,
            boolean modeFromMetadata,
            boolean valuesFromMetadata) {
        int groupSizeFor(QuantizationMode m) {
            return m.groupSizeOr(groupSize);
        }

        int bitsFor(QuantizationMode m) {
            return m.bitsOr(bits);
        }

        /** True when neither the options nor the metadata gave a group size or bits. */
        boolean defaultValues() {
            return !valuesFromOptions && !valuesFromMetadata;
        }

        /** True when a mismatch is the user's command line rather than the file. */
        boolean fromOptions() {
            return modeFromOptions || valuesFromOptions;
        }

        String source() {
            boolean options = modeFromOptions || valuesFromOptions;
            boolean metadata = modeFromMetadata || valuesFromMetadata;
            if (options && metadata) {
                return "from the options and the input's " + QuantizationMetadata.KEY + " metadata";
            }
            if (metadata) {
                return "from the input's " + QuantizationMetadata.KEY + " metadata";
            }
            if (modeFromOptions) {
                return valuesFromOptions ? "from --mode, --group-size/--bits" : "from --mode and the mode's defaults";
            }
            return valuesFromOptions ? "from --group-size/--bits" : "MLX's defaults";
        }

        /** For the first line of the output. */
        String describe() {
            if (mode == null) {
                return "mode from each weight's scales: uint8 ones by their shape (mxfp4, mxfp8 or nvfp4), floating "
                        + "ones affine with group size " + groupSizeFor(QuantizationMode.AFFINE) + ", "
                        + bitsFor(QuantizationMode.AFFINE) + " bits, " + source();
            }
            return mode + ", group size " + groupSizeFor(mode) + ", " + bitsFor(mode) + " bits, " + source();
        }
    }

    /** How one quantized weight is dequantized. */
    private record Plan(QuantizationMode mode, int groupSize, int bits, String note) {}

    @Override
    int execute(PrintWriter out) throws IOException {
        try (Stream.Scope scope = device.use()) {
            return run(out);
        }
    }

    private int run(PrintWriter out) throws IOException {
        long start = System.nanoTime();
        checkOptions();
        if (Files.isDirectory(input)) {
            if (mode != null || bits != null || groupSize != null) {
                throw CommandFailure.usage("--mode, --bits and --group-size are for safetensors files; a model "
                        + "directory's " + ModelCheckpoint.CONFIG_FILE + " gives them per layer");
            }
            checkDirectoryOutput(input);
            try (ModelCheckpoint in = ModelCheckpoint.open(input)) {
                new ModelDirectoryDequantizer(in, outType)
                        .run(output, force, out, spec.commandLine().getErr(), start);
            }
            return JmlxCommand.EXIT_OK;
        }
        requireInput(input);
        checkOutput(input);

        try (SafetensorsFile in = SafetensorsFile.open(input)) {
            Settings settings = settings(in);
            Map<String, Array> tensors = new TreeMap<>();
            Map<String, Array> dense = new LinkedHashMap<>();
            Map<String, String> descriptions = new LinkedHashMap<>();
            Map<String, Long> bytesBefore = new LinkedHashMap<>();
            Map<String, String> notes = new LinkedHashMap<>();
            Set<String> consumed = new HashSet<>();
            for (String name : in.names()) {
                if (!name.endsWith(".weight") || in.info(name).dtype() != DType.UINT32) {
                    continue;
                }
                String prefix = name.substring(0, name.length() - ".weight".length());
                String scalesName = prefix + ".scales";
                String biasesName = prefix + ".biases";
                if (!in.contains(scalesName)) {
                    notes.put(name, "uint32 without " + scalesName + ": not a quantized weight");
                    continue;
                }
                TensorInfo w = in.info(name);
                TensorInfo s = in.info(scalesName);
                TensorInfo b = in.contains(biasesName) ? in.info(biasesName) : null;
                String why = whyNotQuantized(s, b, biasesName);
                if (why != null) {
                    notes.put(name, why);
                    continue;
                }
                Plan plan = s.dtype() == DType.UINT8
                        ? planMicroscaled(name, w, s, settings)
                        : planAffine(name, w, s, b, settings);
                Array d;
                try {
                    d = Jmlx.dequantize(
                            in.get(name),
                            in.get(scalesName),
                            b == null ? null : in.get(biasesName),
                            plan.groupSize(),
                            plan.bits(),
                            plan.mode().mlxName(),
                            null,
                            outType,
                            null);
                } catch (IllegalArgumentException e) {
                    throw CommandFailure.failed("cannot dequantize " + name + ": " + e.getMessage(), e);
                }
                dense.put(name, d);
                String how = plan.mode().isAffine()
                        ? plan.bits() + "-bit, group " + plan.groupSize()
                        : plan.mode() + ", group " + plan.groupSize();
                descriptions.put(
                        name, Shape.format(w.shape()) + " " + how + " -> " + Shape.format(d.shape()) + " " + d.dtype());
                bytesBefore.put(name, w.byteSize() + s.byteSize() + (b == null ? 0 : b.byteSize()));
                if (plan.note() != null) {
                    notes.put(name, plan.note());
                }
                consumed.add(scalesName);
                if (b != null) {
                    consumed.add(biasesName);
                }
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
                    report.add(
                            "dequantized",
                            name,
                            descriptions.get(name),
                            bytesBefore.get(name),
                            d.nbytes(),
                            notes.get(name));
                } else if (!consumed.contains(name)) {
                    tensors.put(name, in.get(name));
                    report.add(
                            "copied",
                            name,
                            Shape.format(info.shape()) + " " + info.dtype(),
                            info.byteSize(),
                            info.byteSize(),
                            notes.get(name));
                }
            }

            Map<String, String> metadata = new LinkedHashMap<>(in.metadata());
            metadata.remove(QuantizationMetadata.KEY);
            SafetensorsWriter.write(output, tensors, metadata);

            out.println("jmlx dequantize: " + input + " -> " + output + " (" + settings.describe()
                    + (outType == null ? "" : "; output " + outType) + ")");
            report.print(out);
            if (dense.isEmpty()) {
                out.println("note: no quantized weight (uint32 P.weight with P.scales, and P.biases in affine mode) "
                        + "was found; everything was copied");
            }
            out.println("total: " + report.size() + " tensors (" + dense.size() + " dequantized, "
                    + (report.size() - dense.size()) + " copied), " + bytes(report.bytesBefore()) + " -> "
                    + bytes(report.bytesAfter()) + " (" + ratio(report.bytesBefore(), report.bytesAfter()) + ") in "
                    + since(start));
            out.println("wrote " + output + " (" + bytes(Files.size(output)) + ")");
            return JmlxCommand.EXIT_OK;
        }
    }

    /** Checks the options before anything is read; every problem is a usage error with the core's message. */
    private void checkOptions() {
        if (dtype != null) {
            try {
                outType = DType.parse(dtype);
            } catch (IllegalArgumentException e) {
                outType = null;
            }
            if (outType == null || !outType.isFloating()) {
                throw CommandFailure.usage("--dtype must be a floating type (float32, float16, bfloat16 or float64) "
                        + "but is '" + dtype + "'");
            }
        }
        if (mode != null) {
            try {
                modeOption = QuantizationMode.parse("dequantize", mode);
            } catch (IllegalArgumentException e) {
                throw CommandFailure.usage(e.getMessage());
            }
        }
        if (bits != null && (bits < 1 || bits > 8)) {
            throw CommandFailure.usage("--bits must be between 1 and 8 but is " + bits);
        }
        if (groupSize != null && groupSize <= 0) {
            throw CommandFailure.usage("--group-size must be positive but is " + groupSize);
        }
        if (modeOption != null && !modeOption.isAffine()) {
            String wrong = fixedSettingsError(modeOption, modeOption.groupSizeOr(groupSize), modeOption.bitsOr(bits));
            if (wrong != null) {
                throw CommandFailure.usage(wrong);
            }
        }
    }

    /**
     * The core's (MLX's) message when a microscaling mode is given a group size or bits other than its own, e.g.
     * {@code [dequantize] mxfp4 quantization requires group size 32 but got 64.}; {@code null} when they are right.
     */
    private static String fixedSettingsError(QuantizationMode m, int groupSize, int bits) {
        try {
            // Zero rows: dequantize runs its argument checks and computes nothing. With the mode's own settings the
            // shapes fit (one group of groupSize * bits / 32 words), so only a wrong setting can fail.
            int words = Math.max(1, groupSize * bits / 32);
            Jmlx.dequantize(
                    Array.zeros(DType.UINT32, 0, words),
                    Array.zeros(DType.UINT8, 0, 1),
                    null,
                    groupSize,
                    bits,
                    m.mlxName(),
                    null,
                    null,
                    null);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Options first, then the input's metadata; the metadata's group size and bits only count for its own mode. */
    private Settings settings(SafetensorsFile in) {
        QuantizationMetadata recorded;
        try {
            recorded = QuantizationMetadata.read(in.metadata());
        } catch (IllegalArgumentException e) {
            throw CommandFailure.failed("the input's " + e.getMessage(), e);
        }
        QuantizationMode recordedMode = recorded == null ? null : recorded.mode();
        QuantizationMode m = modeOption != null ? modeOption : recordedMode;
        boolean metadataValues = recorded != null && recordedMode == m;
        Integer g = groupSize != null ? groupSize : metadataValues ? Integer.valueOf(recorded.groupSize()) : null;
        Integer b = bits != null ? bits : metadataValues ? Integer.valueOf(recorded.bits()) : null;
        Settings settings = new Settings(
                m,
                g,
                b,
                modeOption != null,
                groupSize != null || bits != null,
                modeOption == null && recorded != null,
                metadataValues && (groupSize == null || bits == null));
        if (m != null && !m.isAffine()) {
            String badMetadata = metadataValues ? fixedSettingsError(m, recorded.groupSize(), recorded.bits()) : null;
            if (badMetadata != null && settings.valuesFromMetadata()) {
                throw CommandFailure.failed(
                        "the input's " + QuantizationMetadata.KEY + " metadata " + recorded.toJson() + " is not valid: "
                                + badMetadata,
                        null);
            }
            String wrong = fixedSettingsError(m, settings.groupSizeFor(m), settings.bitsFor(m));
            if (wrong != null) {
                throw CommandFailure.usage(wrong + " (" + settings.source() + ")");
            }
        }
        return settings;
    }

    /** Why a uint32 weight with scales is not a quantized weight in any mode, or {@code null} when it is one. */
    private static String whyNotQuantized(TensorInfo scales, TensorInfo biases, String biasesName) {
        DType s = scales.dtype();
        if (s == DType.UINT8) {
            return biases == null
                    ? null
                    : "uint8 scales (a microscaling mode) but also " + biasesName + ": not a quantized weight";
        }
        if (!s.isFloating()) {
            return "scales are " + s + ", neither floating (affine) nor uint8 (mxfp4, mxfp8, nvfp4): not a "
                    + "quantized weight";
        }
        if (biases == null) {
            return "floating scales without " + biasesName + ": not an affine quantized weight";
        }
        if (!biases.dtype().isFloating()) {
            return "scales/biases are " + s + "/" + biases.dtype() + ", not floating: not affine";
        }
        return null;
    }

    /** A weight with uint8 scales: the file's microscaling mode, or the one mode its shapes fit. */
    private static Plan planMicroscaled(String name, TensorInfo w, TensorInfo s, Settings settings) {
        int[] ws = w.shape();
        int[] ss = s.shape();
        requireMatchingShapes(name, w, s, null);
        QuantizationMode shaped = null;
        for (QuantizationMode m : MICROSCALING) {
            if (fits(ws, ss, m.defaultGroupSize(), m.defaultBits())) {
                shaped = m; // the three modes have 2, 4 and 8 packed words per scale: at most one fits
            }
        }
        QuantizationMode m = settings.mode();
        if (m != null && m.isAffine()) {
            throw mismatch(
                    settings,
                    name + " has uint8 scales and no biases (a microscaling mode) but the mode is " + "affine ("
                            + settings.source() + ")" + (shaped == null ? "" : "; its shapes fit " + shaped));
        }
        if (m == null) {
            if (shaped == null) {
                throw CommandFailure.failed(
                        name + ": packed shape " + Shape.format(ws) + " and uint8 scales shape "
                                + Shape.format(ss)
                                + " fit none of mxfp4 (4 packed words per scale), mxfp8 (8) and nvfp4 "
                                + "(2)",
                        null);
            }
            String wrong = fixedSettingsError(shaped, settings.groupSizeFor(shaped), settings.bitsFor(shaped));
            if (wrong != null) {
                throw CommandFailure.usage(name + " is " + shaped + " by its shapes: " + wrong);
            }
            return new Plan(
                    shaped, shaped.defaultGroupSize(), shaped.defaultBits(), shaped + " inferred from the shapes");
        }
        int g = settings.groupSizeFor(m);
        int b = settings.bitsFor(m);
        if (!fits(ws, ss, g, b)) {
            throw mismatch(
                    settings,
                    name + ": packed shape " + Shape.format(ws) + " and scales shape "
                            + Shape.format(ss) + " do not fit " + m + " (group size " + g + ", " + b + " bits, "
                            + settings.source() + ")" + (shaped == null ? "" : "; they fit " + shaped));
        }
        return new Plan(m, g, b, null);
    }

    /**
     * A weight with floating scales and biases: affine with the file's group size and bits when the shapes fit
     * them, else (only when those are MLX's defaults) the single supported pair that fits.
     */
    private static Plan planAffine(String name, TensorInfo w, TensorInfo s, TensorInfo b, Settings settings) {
        if (settings.mode() != null && !settings.mode().isAffine()) {
            throw mismatch(
                    settings,
                    name + " has " + s.dtype() + " scales and biases (affine) but the mode is " + settings.mode() + " ("
                            + settings.source() + ")");
        }
        requireMatchingShapes(name, w, s, b);
        int[] ws = w.shape();
        int[] ss = s.shape();
        int groupSize = settings.groupSizeFor(QuantizationMode.AFFINE);
        int bits = settings.bitsFor(QuantizationMode.AFFINE);
        if (fits(ws, ss, groupSize, bits)) {
            return new Plan(QuantizationMode.AFFINE, groupSize, bits, null);
        }
        List<int[]> candidates = new ArrayList<>();
        for (int g : GROUP_SIZES) {
            for (int bb : BITS) {
                if (fits(ws, ss, g, bb)) {
                    candidates.add(new int[] {g, bb});
                }
            }
        }
        boolean defaults = settings.defaultValues();
        if (defaults && candidates.size() == 1) {
            int[] c = candidates.get(0);
            return new Plan(
                    QuantizationMode.AFFINE,
                    c[0],
                    c[1],
                    "group size " + c[0] + " and " + c[1] + " bits inferred from the shapes");
        }
        StringBuilder fitting = new StringBuilder();
        for (int[] c : candidates) {
            fitting.append(fitting.isEmpty() ? "" : ", ")
                    .append("--group-size ")
                    .append(c[0])
                    .append(" --bits ")
                    .append(c[1]);
        }
        String message = name + ": packed shape " + Shape.format(ws) + " and scales shape " + Shape.format(ss)
                + " do not fit group size " + groupSize + " and " + bits + " bits (" + settings.source() + ")"
                + (candidates.isEmpty()
                        ? "; no supported group size and bits fit them"
                        : "; they fit " + fitting + (defaults ? ": pick one" : ""));
        throw settings.valuesFromOptions() ? CommandFailure.usage(message) : CommandFailure.failed(message, null);
    }

    /** A file that does not match the given settings: the user's mistake when they came from the options. */
    private static CommandFailure mismatch(Settings settings, String message) {
        return settings.fromOptions() ? CommandFailure.usage(message) : CommandFailure.failed(message, null);
    }

    /** Scales (and biases) must have the weight's shape but for the last dimension. */
    private static void requireMatchingShapes(String name, TensorInfo w, TensorInfo s, TensorInfo b) {
        int[] ws = w.shape();
        int[] ss = s.shape();
        if ((b != null && !Arrays.equals(ss, b.shape()))
                || ws.length < 2
                || ss.length != ws.length
                || !Arrays.equals(Arrays.copyOf(ss, ss.length - 1), Arrays.copyOf(ws, ws.length - 1))) {
            throw CommandFailure.failed(
                    name + " " + Shape.format(ws) + ", its scales " + Shape.format(ss)
                            + (b == null ? "" : " and biases " + Shape.format(b.shape())) + " do not fit together: "
                            + (b == null ? "the scales" : "scales and biases")
                            + " must have the weight's shape but for the "
                            + "last dimension",
                    null);
        }
    }

    /** MLX's shape rule: {@code words * 32 / bits == groups * groupSize}, in integers. */
    private static boolean fits(int[] w, int[] s, int groupSize, int bits) {
        long words = w[w.length - 1];
        long groups = s[s.length - 1];
        return words * 32 % bits == 0 && words * 32 / bits == groups * groupSize;
    }
}
