package io.jmlx.cli;

import io.jmlx.io.StagingDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What the subcommands that write a checkpoint share: the {@code --output} and {@code --force} options and the
 * checks that protect existing files and the input.
 */
abstract class OutputCommand extends JmlxSubcommand {
    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "PATH",
            description = "Where to write: a safetensors file, or a model directory when the input is one (always a "
                    + "directory for convert). It is built in a hidden directory beside PATH and renamed into place "
                    + "at the end, so a failed or interrupted run leaves nothing partial; what a killed run left there "
                    + "is removed by the next run on PATH, which says so.")
    Path output;

    @Option(
            names = {"-f", "--force"},
            description =
                    "Replace PATH if it exists (without this, an existing PATH is " + "refused with exit code 2).")
    boolean force;

    // ---------------------------------------------------------------- file checks

    /**
     * Removes what killed runs left beside {@link #output} (their staging directories, see
     * {@link StagingDirectory#removeLeftovers}) and says on stderr what was removed, restored or kept.
     */
    private void reportLeftovers() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        for (StagingDirectory.Leftover leftover : StagingDirectory.removeLeftovers(output)) {
            err.println(spec.qualifiedName() + ": " + leftover.message());
        }
        err.flush();
    }

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
        reportLeftovers();
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

    /**
     * Checks that a model directory may be written at {@link #output}: it is neither {@code input} nor inside it
     * (nor the other way round), its parent folder exists, and it does not exist unless {@code --force} was given.
     * All of these are usage errors (exit code 2).
     */
    void checkDirectoryOutput(Path input) throws IOException {
        reportLeftovers();
        Path out = output.toAbsolutePath().normalize();
        Path in = input.toAbsolutePath().normalize();
        Path inDir = Files.isDirectory(in) ? in : in.getParent();
        if (out.equals(in)
                || out.startsWith(in)
                || (Files.isDirectory(in) && in.startsWith(out))
                || (Files.exists(out) && Files.isSameFile(out, in))) {
            throw CommandFailure.usage(
                    "--output " + output + " overlaps the input " + input + "; write to a separate directory");
        }
        if (Files.isDirectory(in) && out.equals(inDir)) {
            throw CommandFailure.usage("--output " + output + " is the input's directory; write to another one");
        }
        Path parent = out.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw CommandFailure.usage("the folder of --output " + output + " does not exist: " + parent);
        }
        if (!force && (Files.exists(out) || Files.isSymbolicLink(out))) {
            throw CommandFailure.usage("output " + output + " already exists; add --force to replace it");
        }
    }
}
