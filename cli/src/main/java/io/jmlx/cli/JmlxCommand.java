package io.jmlx.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code jmlx} command line (run by the {@code ./jmlx} launcher): MLX-style quantization of models and
 * checkpoints, and running the models it knows. Subcommands: {@code convert}, {@code inspect}, {@code generate},
 * {@code embed}, {@code quantize}, {@code dequantize}, {@code example}, {@code completion} and {@code help}.
 *
 * <p>In code: {@code JmlxCommand.commandLine().execute(args)} returns the exit code: 0 on success, 1 when the
 * command failed (unreadable or malformed input, failed computation, I/O error), 2 for a usage error (unknown
 * option, missing or bad option value, output refused). A usage error prints one line saying what is wrong, then the
 * usage; a failure prints one line. Stack traces are shown only with {@code --debug} or the environment variable
 * {@code JMLX_DEBUG=1}.
 */
@Command(
        name = "jmlx",
        mixinStandardHelpOptions = true,
        versionProvider = JmlxCommand.Version.class,
        description = "MLX-compatible quantization of models and safetensors checkpoints (affine, mxfp4, mxfp8, "
                + "nvfp4) on the JVM, and the models it knows run from the command line.",
        subcommands = {
            ConvertCommand.class,
            InspectCommand.class,
            GenerateCommand.class,
            EmbedCommand.class,
            QuantizeCommand.class,
            DequantizeCommand.class,
            ExampleCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  jmlx convert -i Llama-3.2-1B -o Llama-3.2-1B-4bit",
            "  jmlx generate --model Llama-3.2-1B-4bit --prompt 'Once upon a time' --max-tokens 100",
            "  jmlx embed --model minilm-4bit --text 'A cat sleeps.' --text 'A dog runs.' --similarity",
            "  jmlx quantize --input ex.safetensors --output ex-4bit.safetensors",
            "",
            "Exit codes: 0 success, 1 the command failed (bad input, I/O error), 2 usage error.",
            "Stack traces: --debug, or the environment variable JMLX_DEBUG=1.",
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
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, set up as {@code ./jmlx} runs it: a usage error prints one line and the usage (exit code 2),
     * and nothing that escapes a command shows a stack trace unless debugging is on.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new JmlxCommand());
        cl.setParameterExceptionHandler(JmlxCommand::usageError);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println(line.getCommandSpec().qualifiedName() + ": unexpected error: " + e);
            if (debugging(false)) {
                e.printStackTrace(line.getErr());
            }
            return EXIT_FAILED;
        });
        return cl;
    }

    /** True when stack traces are wanted: {@code --debug} was given or {@code JMLX_DEBUG} is set (and not 0). */
    static boolean debugging(boolean flag) {
        String env = System.getenv("JMLX_DEBUG");
        return flag || (env != null && !env.isBlank() && !env.equals("0"));
    }

    /** {@code jmlx: Unknown option: '--x' (did you mean --bits?)}, then the usage of the command it was given to. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String line = cl.getCommandSpec().qualifiedName() + ": " + e.getMessage();
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            List<String> suggestions = u.getSuggestions();
            line += " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
                    + "?)";
        }
        err.println(line);
        cl.usage(err);
        if (debugging(false)) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_USAGE;
    }

    /** {@code jmlx} alone: says a command is needed, names every command, and shows the usage (exit code 2). */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        List<String> names = List.copyOf(spec.subcommands().keySet());
        cl.getErr()
                .println("jmlx: a command is needed: " + String.join(", ", names.subList(0, names.size() - 1)) + " or "
                        + names.getLast());
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
