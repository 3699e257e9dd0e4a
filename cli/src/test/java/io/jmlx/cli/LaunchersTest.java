package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers ({@code ./jmlx}, {@code ./report}, {@code ./sample}, {@code ./bench}) run as processes, the way
 * people run them: {@code -h} and {@code --help} print the usage and exit 0 without building or running anything;
 * an unknown option or a bad argument prints one line saying which, then the usage, and exits 2, never with a stack
 * trace; {@code ./jmlx} alone names every command; the JVM's incubator warning is gone from stderr while everything
 * else there stays; {@code --debug} and {@code JMLX_DEBUG=1} show stack traces.
 *
 * <p>{@code ./jmlx} runs on this build's class path ({@code JMLX_CLASS_PATH}) instead of building itself; the other
 * launchers run as they are, so a help path that built or ran the job would time out here.
 */
class LaunchersTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    @TempDir
    Path cwd;

    /** What a process printed and how it ended. */
    record Run(int exitCode, String out, String err, long millis) {
        @Override
        public String toString() {
            return "exit " + exitCode + " after " + millis + " ms\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        String firstErrorLine() {
            return err.lines().findFirst().orElse("");
        }
    }

    private Run run(Map<String, String> env, String... command) {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, ROOT.resolve(command[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().remove("JMLX_DEBUG");
        pb.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 60 s (did it build or run the job?)");
            }
            return new Run(p.exitValue(), out.join(), err.join(), (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Run launcher(String... command) {
        return run(Map.of(), command);
    }

    /** {@code ./jmlx} on this build's classes. */
    private Run jmlx(String... args) {
        return jmlx(Map.of(), args);
    }

    private Run jmlx(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("jmlx"));
        command.addAll(List.of(args));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("JMLX_CLASS_PATH", System.getProperty("java.class.path"));
        return run(all, command.toArray(String[]::new));
    }

    private static void assertUsageError(Run r, String firstLine, String usageStart) {
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(firstLine, r.firstErrorLine(), r::toString);
        assertTrue(r.err().lines().skip(1).anyMatch(l -> l.startsWith(usageStart)), r::toString);
        assertNoStackTrace(r);
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r::toString);
    }

    @Test
    void reportHelpPrintsTheUsageAtOnceWithoutRunningTheJob() throws IOException {
        for (String help : List.of("--help", "-h")) {
            Run r = launcher("report", help);
            System.out.println("./report " + help + ": " + r.millis() + " ms");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.out().startsWith("Usage: ./report [DIR] [SENTENCES] [OPTIONS]\n"), r::toString);
            for (String option : List.of(
                    "--model",
                    "--sentences",
                    "--methods",
                    "--settings",
                    "--bits-per-weight",
                    "--calibration",
                    "--device")) {
                assertTrue(r.out().contains("  " + option + " "), option + " is missing from: " + r);
            }
            assertTrue(r.out().contains("-h, --help"), r::toString);
            assertEquals("", r.err());
        }
        try (var s = Files.list(cwd)) {
            assertEquals(List.of(), s.toList(), "nothing is written where ./report --help runs");
        }
    }

    @Test
    void reportRefusesUnknownOptionsAndBadArgumentsWithOneLineAndTheUsage() throws IOException {
        assertUsageError(launcher("report", "--bogus"), "report: unknown option '--bogus'", "Usage: ./report");
        assertUsageError(
                launcher("report", "out", "12x"),
                "report: SENTENCES must be a positive whole number, not '12x'",
                "Usage: ./report");
        assertUsageError(
                launcher("report", "a", "5", "c"),
                "report: too many arguments: c (at most DIR and SENTENCES)",
                "Usage: ./report");
        assertUsageError(
                launcher("report", "out", "--methods", "rtn,gptq", "--settings", "4:64", "5", "c"),
                "report: too many arguments: c (at most DIR and SENTENCES)",
                "Usage: ./report");
        assertUsageError(launcher("report", "--methods"), "report: --methods needs a value", "Usage: ./report");
        try (var s = Files.list(cwd)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void sampleAndBenchAnswerHelpAndRefuseWhatTheyDoNotKnow() {
        Run help = launcher("sample", "--help");
        assertEquals(0, help.exitCode(), help::toString);
        for (String name : List.of("java-interop", "android-style", "story-flow")) {
            assertTrue(help.out().contains("  " + name + " "), help::toString);
            Run one = launcher("sample", name, "-h");
            assertEquals(0, one.exitCode(), one::toString);
            assertTrue(one.out().startsWith("Usage: ./sample " + name), one::toString);
        }
        assertUsageError(launcher("sample", "--bogus"), "sample: unknown option '--bogus'", "Usage: ./sample");
        assertUsageError(
                launcher("sample", "nope"),
                "sample: no sample named 'nope'; the samples are java-interop, android-style and story-flow",
                "Usage: ./sample");
        assertUsageError(
                launcher("sample", "story-flow", "dir", "7"),
                "sample: story-flow: BITS must be 2, 3, 4, 5, 6 or 8, not '7'",
                "Usage: ./sample");
        assertUsageError(
                launcher("sample", "story-flow", "--fast"),
                "sample: story-flow: unknown option '--fast'",
                "Usage: ./sample");
        assertUsageError(
                launcher("sample", "story-flow", "dir", "--nll"),
                "sample: story-flow: --nll needs a value",
                "Usage: ./sample");
        assertUsageError(
                launcher("sample", "java-interop", "--nll", "f"),
                "sample: java-interop: unknown option '--nll'",
                "Usage: ./sample");
        for (String h : List.of("-h", "--help")) {
            Run bench = launcher("bench", h);
            assertEquals(0, bench.exitCode(), bench::toString);
            assertTrue(bench.out().startsWith("Usage: ./bench "), bench::toString);
            assertEquals("", bench.err());
        }
    }

    @Test
    void jmlxAloneNamesEveryCommand() {
        Run r = jmlx();
        assertEquals(2, r.exitCode(), r::toString);
        String line = r.firstErrorLine();
        assertTrue(line.startsWith("jmlx: a command is needed: "), r::toString);
        for (String command : JmlxCommand.commandLine().getSubcommands().keySet()) {
            assertTrue(line.contains(command), command + " is missing from: " + line);
        }
        assertTrue(r.err().lines().skip(1).anyMatch(l -> l.startsWith("Usage: jmlx")), r::toString);
    }

    @Test
    void everyJmlxCommandAnswersHelp() {
        Run top = jmlx("--help");
        assertEquals(0, top.exitCode(), top::toString);
        for (String command : JmlxCommand.commandLine().getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue;
            }
            Run r = jmlx(command, "--help");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.out().contains("Usage: jmlx " + command), r::toString);
            assertEquals("", r.err(), r::toString);
        }
    }

    @Test
    void jmlxUsageErrorsAreOneLineThenTheUsage() {
        assertUsageError(
                jmlx("inspect", "--bogus", "x"), "jmlx inspect: Unknown option: '--bogus'", "Usage: jmlx inspect");
        assertUsageError(
                jmlx("generate", "--model"),
                "jmlx generate: Missing required parameter for option '--model' (DIR)",
                "Usage: jmlx generate");
        assertUsageError(
                jmlx("embed", "--model", "m.onnx", "--batch-size", "many"),
                "jmlx embed: Invalid value for option '--batch-size': 'many' is not an int",
                "Usage: jmlx embed");
        Run unknown = jmlx("genrate");
        assertEquals(2, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.firstErrorLine().contains("'genrate'"), unknown::toString);
        assertTrue(unknown.firstErrorLine().contains("generate"), "a suggestion: " + unknown);
        assertNoStackTrace(unknown);
    }

    @Test
    void theIncubatorWarningIsGoneAndEverythingElseOnStderrStays() {
        Run r = jmlx("inspect", cwd.resolve("missing").toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals("jmlx inspect: input not found: " + cwd.resolve("missing") + "\n", r.err());
        assertFalse(r.err().contains(WARNING), r::toString);
        Run help = jmlx("--version");
        assertEquals(0, help.exitCode(), help::toString);
        assertEquals("", help.err());
    }

    @Test
    void debugShowsTheStackTrace() throws IOException {
        Path garbage = Files.writeString(cwd.resolve("garbage.safetensors"), "short");
        Run plain = jmlx("inspect", garbage.toString());
        assertEquals(1, plain.exitCode(), plain::toString);
        assertEquals(1, plain.err().lines().count(), plain::toString);
        Run flag = jmlx("inspect", garbage.toString(), "--debug");
        assertTrue(flag.err().contains("\tat "), flag::toString);
        Run env = jmlx(Map.of("JMLX_DEBUG", "1"), "inspect", garbage.toString());
        assertTrue(env.err().contains("\tat "), env::toString);
        assertEquals(plain.firstErrorLine(), env.firstErrorLine());
    }
}
