package io.jmlx.cli;

/**
 * A subcommand stops with a one-line message for the user and an exit code ({@link JmlxCommand#EXIT_FAILED} or
 * {@link JmlxCommand#EXIT_USAGE}); no stack trace is shown unless {@code --debug} is given.
 */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CommandFailure(int exitCode, String message) {
        this(exitCode, message, null);
    }

    CommandFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A problem with the command line itself (bad option value, refused output): exit code 2. */
    static CommandFailure usage(String message) {
        return new CommandFailure(JmlxCommand.EXIT_USAGE, message);
    }

    /** The command ran and failed (unreadable or malformed input, failed computation, I/O error): exit code 1. */
    static CommandFailure failed(String message, Throwable cause) {
        return new CommandFailure(JmlxCommand.EXIT_FAILED, message, cause);
    }

    int exitCode() {
        return exitCode;
    }
}
