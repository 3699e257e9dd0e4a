package io.jmlx.cli;

import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code --override REGEX=BITS[:GROUP[:MODE]]} or {@code --skip REGEX} of {@code jmlx convert}: layers whose
 * module path matches the regular expression (anywhere in the path, as Python's {@code re.search}) are quantized
 * with these settings, or left dense. Rules are tried in the order given; the first match wins.
 *
 * @param pattern  the regular expression
 * @param settings the layer's settings, or {@code null} to leave it dense
 * @param text     the option as given, for messages
 */
record LayerRule(Pattern pattern, QuantizationSettings settings, String text) {

    /** Parses an {@code --override} value; missing group size and mode default to the global ones. */
    static LayerRule override(String value, QuantizationSettings global) {
        int eq = value.lastIndexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw CommandFailure.usage("--override must be REGEX=BITS[:GROUP[:MODE]] (e.g. 'lm_head=8' or "
                    + "'mlp\\.down_proj=6:32') but is '" + value + "'");
        }
        String[] parts = value.substring(eq + 1).split(":", -1);
        if (parts.length > 3) {
            throw CommandFailure.usage(
                    "--override '" + value + "': after '=' give BITS[:GROUP[:MODE]], at most " + "three fields");
        }
        Integer bits = number(parts[0], "BITS", value);
        Integer group = parts.length > 1 && !parts[1].isEmpty() ? number(parts[1], "GROUP", value) : null;
        QuantizationSettings settings;
        try {
            QuantizationMode mode =
                    parts.length > 2 && !parts[2].isEmpty() ? QuantizationSettings.parseMode(parts[2]) : global.mode();
            boolean sameMode = mode == global.mode();
            settings = QuantizationSettings.resolve(
                    group != null ? group : sameMode ? global.groupSize() : null, bits, mode);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage("--override '" + value + "': " + e.getMessage());
        }
        return new LayerRule(compile(value.substring(0, eq), "--override", value), settings, "--override " + value);
    }

    /** Parses a {@code --skip} value. */
    static LayerRule skip(String value) {
        return new LayerRule(compile(value, "--skip", value), null, "--skip " + value);
    }

    /** The first rule matching {@code path}, if any. */
    static Optional<LayerRule> first(List<LayerRule> rules, String path) {
        return rules.stream().filter(r -> r.pattern.matcher(path).find()).findFirst();
    }

    private static Pattern compile(String regex, String option, String value) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw CommandFailure.usage(
                    option + " '" + value + "': not a valid regular expression: " + e.getDescription());
        }
    }

    private static Integer number(String s, String field, String value) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            throw CommandFailure.usage(
                    "--override '" + value + "': " + field + " must be a whole number but is '" + s + "'");
        }
    }
}
