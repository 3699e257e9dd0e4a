package io.jmlx;

/**
 * A computation failed while it ran on its stream. Thrown where the result is awaited ({@link Jmlx#eval},
 * {@link Array#data()}, ...); {@link #op()} names the op that failed, and the cause is the original error.
 */
public final class EvaluationException extends RuntimeException {
    private final String op;

    /** Creates the exception for a failure of {@code op}. */
    public EvaluationException(String op, String message, Throwable cause) {
        super(message, cause);
        this.op = op;
    }

    /** The name of the op whose computation failed, e.g. {@code quantize}. */
    public String op() {
        return op;
    }
}
