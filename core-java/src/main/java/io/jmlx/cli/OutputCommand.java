package io.jmlx.cli;

import io.jmlx.EvaluationException;
import io.jmlx.io.SafetensorsFormatException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What the subcommands that write a safetensors file share: the {@code --output}, {@code --force} and
 * {@code --verbose} options, the checks that protect existing files, and the translation of every failure into a
 * one-line message on stderr and an exit code (stack traces only with {@code --verbose}).
 */
abstract class OutputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
            description = "The safetensors file to write. It is written under a temporary name in the same folder "
                    + "and renamed into place at the end, so a failed run leaves no partial file.")
    Path output;

    @Option(names = {"-f", "--force"}, description = "Replace FILE if it exists (without this, an existing FILE is "
            + "refused with exit code 2).")
    boolean force;

    @Option(names = "--verbose", description = "Show the stack trace when something fails.")
    boolean verbose;

    /** Does the work, printing to {@code out}; returns the exit code. */
    abstract int execute(PrintWriter out) throws Exception;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return execute(out);
        } catch (CommandFailure e) {
            return fail(err, e.getMessage(), e.getCause() == null ? e : e.getCause(), e.exitCode());
        } catch (NoSuchFileException e) {
            return fail(err, "no such file or folder: " + e.getFile(), e, JmlxCommand.EXIT_FAILED);
        } catch (AccessDeniedException e) {
            return fail(err, "permission denied: " + e.getFile(), e, JmlxCommand.EXIT_FAILED);
        } catch (SafetensorsFormatException e) {
            return fail(err, "not a valid safetensors file: " + e.getMessage(), e, JmlxCommand.EXIT_FAILED);
        } catch (FileSystemException e) {
            return fail(err, e.getMessage(), e, JmlxCommand.EXIT_FAILED);
        } catch (IOException e) {
            return fail(err, "I/O error: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e,
                    JmlxCommand.EXIT_FAILED);
        } catch (EvaluationException e) {
            return fail(err, e.getMessage(), e, JmlxCommand.EXIT_FAILED);
        } catch (OutOfMemoryError e) {
            return fail(err, "out of memory (" + e.getMessage() + "); give Java more with JMLX_JAVA_OPTS=-Xmx<size>",
                    e, JmlxCommand.EXIT_FAILED);
        } catch (Exception e) {
            return fail(err, "unexpected error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)"),
                    e, JmlxCommand.EXIT_FAILED);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int fail(PrintWriter err, String message, Throwable cause, int exitCode) {
        err.println(spec.qualifiedName() + ": " + oneLine(message));
        if (verbose) {
            cause.printStackTrace(err);
        }
        return exitCode;
    }

    private static String oneLine(String message) {
        return message == null ? "failed" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    // ---------------------------------------------------------------- file checks

    /** {@code input} must be an existing regular file (exit code 1 otherwise). */
    static void requireInput(Path input) {
        if (Files.isDirectory(input)) {
            throw CommandFailure.failed("input " + input + " is a folder, not a safetensors file", null);
        }
        if (!Files.exists(input)) {
            throw CommandFailure.failed("input file not found: " + input, null);
        }
    }

    /**
     * Checks that writing {@link #output} is allowed: it is not {@code input} (by path or, when both exist, as the
     * same file), not a folder, its folder exists, and it does not exist unless {@code --force} was given. All of
     * these are usage errors (exit code 2).
     */
    void checkOutput(Path input) throws IOException {
        Path out = output.toAbsolutePath().normalize();
        if (input != null) {
            Path in = input.toAbsolutePath().normalize();
            if (out.equals(in) || (Files.exists(out) && Files.exists(in) && Files.isSameFile(out, in))) {
                throw CommandFailure.usage("--output " + output + " is the input file; write to another file");
            }
        }
        if (Files.isDirectory(out)) {
            throw CommandFailure.usage("--output " + output + " is a folder; give a file name");
        }
        Path parent = out.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw CommandFailure.usage("the folder of --output " + output + " does not exist: " + parent);
        }
        if (!force && (Files.exists(out) || Files.isSymbolicLink(out))) {
            throw CommandFailure.usage("output " + output + " already exists; add --force to replace it");
        }
    }

    // ---------------------------------------------------------------- formatting

    /** {@code 1,234,567 B}. */
    static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d B", n);
    }

    /** {@code 4.00x smaller}, or {@code 1.50x larger}. */
    static String ratio(long before, long after) {
        if (before == 0 || after == 0) {
            return "no data";
        }
        return before >= after
                ? String.format(Locale.ROOT, "%.2fx smaller", (double) before / after)
                : String.format(Locale.ROOT, "%.2fx larger", (double) after / before);
    }

    /** Seconds since {@code startNanos}, e.g. {@code 0.42 s}. */
    static String since(long startNanos) {
        return String.format(Locale.ROOT, "%.2f s", (System.nanoTime() - startNanos) / 1e9);
    }

    /** Pads {@code s} to {@code width} characters. */
    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
