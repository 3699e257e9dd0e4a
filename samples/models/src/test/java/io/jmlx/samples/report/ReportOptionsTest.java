package io.jmlx.samples.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jmlx.samples.Sentences;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's COUNT argument takes the first sentences of the built-in set or of a {@code --sentences} file. */
class ReportOptionsTest {
    @TempDir
    Path dir;

    @Test
    void countTakesTheFirstSentencesOfEitherSet() throws IOException {
        Path file = Files.writeString(dir.resolve("eval.txt"), "one\n\ntwo\nthree\nfour\n");
        String out = dir.resolve("out").toString();
        assertEquals(
                Sentences.all().subList(0, QuantizationReport.DEFAULT_SENTENCES),
                QuantizationReport.Options.parse(new String[] {out}).sentences());
        assertEquals(
                Sentences.all().subList(0, 7),
                QuantizationReport.Options.parse(new String[] {out, "7"}).sentences());
        assertEquals(
                List.of("one", "two", "three", "four"),
                QuantizationReport.Options.parse(new String[] {out, "--sentences", file.toString()})
                        .sentences());
        assertEquals(
                List.of("one", "two"),
                QuantizationReport.Options.parse(new String[] {out, "2", "--sentences", file.toString()})
                        .sentences());
    }
}
