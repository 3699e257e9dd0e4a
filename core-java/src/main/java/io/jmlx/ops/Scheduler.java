package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Shape;
import io.jmlx.backend.BackendStream;
import io.jmlx.backend.Kernels;
import io.jmlx.stream.Stream;
import io.jmlx.stream.StreamOrDevice;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs op computations on streams. An op checks its arguments on the caller's thread, then hands a
 * {@link Computation} to {@link #submit}; its outputs are returned at once as pending {@link Array}s. On the op's
 * stream, once its inputs are ready, the scheduler allocates the outputs from the stream's device memory, calls the
 * computation with the stream's kernels, and completes the outputs when the stream's backend says the work is done.
 *
 * <p>Inputs computed on the same stream are ready as soon as their op's kernels were called (the stream runs its work
 * in order), so a GPU stream records consecutive ops without waiting for each one; inputs from other streams and
 * devices are waited for until computed (any device's op reads any array: MLX's unified memory). A failure inside
 * the computation is recorded as an {@link EvaluationException} naming the op and thrown where the result is
 * awaited; ops depending on a failed array fail with the same exception. Cancelling the futures of all of an op's
 * outputs before it starts skips its computation.
 */
public final class Scheduler {
    private Scheduler() {}

    /** The body of an op: reads {@code inputs} and fills {@code outputs} with the stream's {@code kernels}. */
    @FunctionalInterface
    public interface Computation {
        void run(Kernels kernels, MemorySegment[] inputs, MemorySegment[] outputs) throws Exception;
    }

    /** Shape and dtype of one output of an op. */
    public record Output(int[] shape, DType dtype) {
        /** Copies the shape. */
        public Output {
            shape = shape.clone();
        }
    }

    /** One output of an op; once every output is cancelled, the op's pending computation is cancelled too. */
    private static final class OutputFuture extends CompletableFuture<MemorySegment> {
        private final Runnable cancelOp;
        private final AtomicInteger uncancelled;

        OutputFuture(Runnable cancelOp, AtomicInteger uncancelled) {
            this.cancelOp = cancelOp;
            this.uncancelled = uncancelled;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && uncancelled.decrementAndGet() == 0) {
                cancelOp.run();
            }
            return cancelled;
        }
    }

    /** Submits a single-output op; see {@link #submit(String, StreamOrDevice, Array[], Output[], Computation)}. */
    public static Array submit(
            String op, StreamOrDevice where, Array[] inputs, int[] shape, DType dtype, Computation body) {
        return submit(op, where, inputs, new Output[] {new Output(shape, dtype)}, body)[0];
    }

    /**
     * Schedules {@code body} on the stream named by {@code where} ({@code null}: the default stream) after all
     * {@code inputs} are ready, and returns its outputs as pending arrays.
     */
    public static Array[] submit(String op, StreamOrDevice where, Array[] inputs, Output[] outputs, Computation body) {
        Stream stream = StreamOrDevice.resolve(where);
        BackendStream backend = stream.backend();
        ArrayInternals internals = ArrayInternals.get();
        CompletableFuture<?>[] ready = new CompletableFuture<?>[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            ready[i] = internals.producer(inputs[i]) == stream ? internals.recorded(inputs[i]) : inputs[i].dataFuture();
        }
        CompletableFuture<MemorySegment[]> recorded = new CompletableFuture<>();
        CompletableFuture<MemorySegment[]> done = new CompletableFuture<>();
        CompletableFuture<Void> step = CompletableFuture.allOf(ready)
                .thenRunAsync(
                        () -> {
                            MemorySegment[] in = new MemorySegment[inputs.length];
                            for (int i = 0; i < in.length; i++) {
                                in[i] = (MemorySegment) ready[i].join();
                            }
                            MemorySegment[] out = new MemorySegment[outputs.length];
                            try {
                                for (int i = 0; i < out.length; i++) {
                                    out[i] = backend.memory()
                                            .allocate(Math.multiplyExact(
                                                    Shape.size(outputs[i].shape()),
                                                    outputs[i].dtype().byteSize()));
                                }
                                body.run(backend.kernels(), in, out);
                            } catch (Throwable t) {
                                EvaluationException e = failure(op, t);
                                recorded.completeExceptionally(e);
                                done.completeExceptionally(e);
                                return;
                            }
                            recorded.complete(out);
                            backend.completion().whenComplete((ignored, error) -> {
                                if (error == null) {
                                    done.complete(out);
                                } else {
                                    done.completeExceptionally(failure(op, unwrap(error)));
                                }
                            });
                        },
                        backend.executor());
        step.whenComplete((ignored, error) -> {
            if (error != null) {
                // An input failed (its EvaluationException passes through), or the op was cancelled before it ran.
                Throwable cause = unwrap(error);
                recorded.completeExceptionally(cause);
                done.completeExceptionally(cause);
            }
        });
        AtomicInteger uncancelled = new AtomicInteger(outputs.length);
        Array[] result = new Array[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            OutputFuture future = new OutputFuture(() -> step.cancel(false), uncancelled);
            int index = i;
            done.whenComplete((segs, error) -> {
                if (error == null) {
                    future.complete(segs[index]);
                } else {
                    future.completeExceptionally(unwrap(error));
                }
            });
            result[i] = internals.pending(
                    outputs[i].shape(),
                    outputs[i].dtype(),
                    op,
                    stream,
                    recorded.thenApply(segs -> segs[index]),
                    future);
        }
        return result;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The error thrown where a result of {@code op} is awaited, its message starting with {@code [op]}. */
    private static EvaluationException failure(String op, Throwable t) {
        if (t instanceof EvaluationException e) {
            return e;
        }
        if (t instanceof CancellationException) {
            return new EvaluationException(op, "[" + op + "] cancelled", t);
        }
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        return new EvaluationException(op, message.startsWith("[") ? message : "[" + op + "] " + message, t);
    }
}
