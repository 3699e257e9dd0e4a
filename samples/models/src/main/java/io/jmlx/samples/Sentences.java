package io.jmlx.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The built-in sentences the samples embed and search: varied on purpose (accents, CJK and other scripts, emoji,
 * punctuation, very long inputs). One per line in {@code sentences.txt}, with {@code \n}, {@code \t}, {@code \r}
 * and {@code \\} escaped. A separate set, {@code calibration.txt}, calibrates quantization methods; no sentence
 * is in both, so that what is measured on the first set was not tuned on it.
 */
public final class Sentences {
    private Sentences() {}

    /** Every built-in sentence, in file order. */
    public static List<String> all() {
        return read("sentences.txt");
    }

    /** The calibration sentences (none of them among {@link #all()}), in file order. */
    public static List<String> calibration() {
        return read("calibration.txt");
    }

    private static List<String> read(String resource) {
        try (InputStream in = Sentences.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the samples' resources");
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                return r.lines()
                        .filter(l -> !l.isEmpty())
                        .map(Sentences::unescape)
                        .toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unescape(String line) {
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                char n = line.charAt(++i);
                sb.append(
                        switch (n) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> n;
                        });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
