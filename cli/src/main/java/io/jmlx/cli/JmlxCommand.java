package io.jmlx.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code jmlx} command line (run by the {@code ./jmlx} launcher): MLX-style quantization of safetensors
 * checkpoints. Subcommands: {@code quantize}, {@code dequantize}, {@code example} and {@code help}.
 *
 * <p>In code: {@code new CommandLine(new JmlxCommand()).execute(args)} returns the exit code: 0 on success, 1 when
 * the command failed (unreadable or malformed input, failed computation, I/O error), 2 for a usage error (bad
 * option value, output refused).
 */
@Command(
        name = "jmlx",
        mixinStandardHelpOptions = true,
        versionProvider = JmlxCommand.Version.class,
        description = "MLX-compatible quantization of safetensors checkpoints (affine, mxfp4, mxfp8, nvfp4), on "
                + "the JVM.",
        subcommands = {
            ConvertCommand.class,
            InspectCommand.class,
            QuantizeCommand.class,
            DequantizeCommand.class,
            ExampleCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx example --output ex.safetensors",
            "  jmlx quantize --input ex.safetensors --output ex-4bit.safetensors",
            "  jmlx dequantize --input ex-4bit.safetensors --output ex-dense.safetensors",
            "",
            "Exit codes: 0 success, 1 the command failed (bad input, I/O error), 2 usage error.",
            "Run 'jmlx COMMAND --help' for the options of a command."
        })
public final class JmlxCommand implements Callable<Integer> {
    /** Exit code of a successful run. */
    public static final int EXIT_OK = 0;
    /** Exit code when a command ran and failed: unreadable or malformed input, a failed computation, an I/O error. */
    public static final int EXIT_FAILED = 1;
    /** Exit code for a usage error: an unknown or invalid option, or an output that is refused. */
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new JmlxCommand()).execute(args));
    }

    /** {@code jmlx} alone: says a subcommand is needed and shows the usage (exit code 2). */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("jmlx: a command is needed: quantize, dequantize or example");
        cl.usage(cl.getErr());
        cl.getErr().flush();
        return EXIT_USAGE;
    }

    /** The jmlx version (from the build) and the Java runtime, for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "jmlx " + version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")
            };
        }

        /** The project version the build wrote into {@code version.properties}, or {@code unknown}. */
        static String version() {
            try (InputStream in = JmlxCommand.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    return "unknown";
                }
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "unknown");
                return v.contains("${") ? "unknown" : v;
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
