package io.jmlx.cli;

import io.jmlx.EvaluationException;
import io.jmlx.io.safetensors.SafetensorsFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: the {@code --debug} option, and the translation of every failure into a one-line
 * message on stderr and an exit code (stack traces only with {@code --debug} or {@code JMLX_DEBUG=1}); plus the
 * number formatting of their reports.
 */
abstract class JmlxSubcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = {"--debug", "--verbose"},
            description = "Show the stack trace when something fails (so does the environment variable JMLX_DEBUG=1).")
    boolean debug;

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
            return fail(
                    err,
                    "I/O error: " + (e.getMessage() == null ? e.toString() : e.getMessage()),
                    e,
                    JmlxCommand.EXIT_FAILED);
        } catch (EvaluationException e) {
            return fail(err, e.getMessage(), e, JmlxCommand.EXIT_FAILED);
        } catch (OutOfMemoryError e) {
            return fail(
                    err,
                    "out of memory (" + e.getMessage() + "); give Java more with JMLX_JAVA_OPTS=-Xmx<size>",
                    e,
                    JmlxCommand.EXIT_FAILED);
        } catch (Exception e) {
            return fail(
                    err,
                    "unexpected error: " + e + (JmlxCommand.debugging(debug) ? "" : " (--debug shows the stack trace)"),
                    e,
                    JmlxCommand.EXIT_FAILED);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int fail(PrintWriter err, String message, Throwable cause, int exitCode) {
        err.println(spec.qualifiedName() + ": " + oneLine(message));
        if (JmlxCommand.debugging(debug)) {
            cause.printStackTrace(err);
        }
        return exitCode;
    }

    private static String oneLine(String message) {
        return message == null
                ? "failed"
                : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** {@code input} must exist, as a file or a model directory (exit code 1 otherwise). */
    static void requireExisting(Path input) {
        if (!Files.exists(input)) {
            throw CommandFailure.failed("input not found: " + input, null);
        }
    }

    // ---------------------------------------------------------------- formatting

    /** {@code 1,234,567 B}. */
    static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d B", n);
    }

    /** {@code 1.2 MB}, {@code 3.4 GB}: decimal units, for progress and summaries. */
    static String size(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
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
