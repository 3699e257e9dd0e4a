package io.jmlx;

import java.util.concurrent.CompletionException;

/** Turns a failed future into the {@link EvaluationException} the awaiting caller sees. */
final class EvaluationFailures {
    private EvaluationFailures() {}

    /**
     * The exception to throw for {@code e}: a fresh {@link EvaluationException} (so the stack shows the caller
     * that waited) naming the op that failed (the one that raised an {@link EvaluationException}, else
     * {@code op}, the awaited array's), with the original error as its cause.
     */
    static RuntimeException rethrow(CompletionException e, String op) {
        Throwable cause = e.getCause();
        if (cause instanceof java.util.concurrent.CancellationException cancelled) {
            return cancelled;
        }
        if (cause instanceof EvaluationException failed) {
            return new EvaluationException(failed.op(), failed.getMessage(), failed.getCause());
        }
        return new EvaluationException(op, "[" + op + "] evaluation failed: " + cause, cause);
    }
}
