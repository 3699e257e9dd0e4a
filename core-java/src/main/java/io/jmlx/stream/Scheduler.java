package io.jmlx.stream;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs op computations on streams. An op checks its arguments on the caller's thread, then hands a
 * {@link Computation} to {@link #submit}; the computation runs on the op's stream once every input is ready, and
 * its outputs are returned at once as pending {@link Array}s. A failure inside the computation is recorded as an
 * {@link EvaluationException} naming the op, and is thrown where the result is awaited; ops depending on a failed
 * array fail with the same exception. Cancelling the futures of all of an op's outputs before it starts skips its
 * computation.
 */
public final class Scheduler {
    private Scheduler() {}

    /** One output of an op; once every output is cancelled, the op's pending computation is cancelled too. */
    private static final class OutputFuture extends CompletableFuture<MemorySegment> {
        private final CompletableFuture<?> task;
        private final AtomicInteger uncancelled;

        OutputFuture(CompletableFuture<?> task, AtomicInteger uncancelled) {
            this.task = task;
            this.uncancelled = uncancelled;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && uncancelled.decrementAndGet() == 0) {
                task.cancel(false);
            }
            return cancelled;
        }
    }

    /** The body of an op: reads {@code inputs} and fills {@code outputs} (freshly allocated, zeroed). */
    @FunctionalInterface
    public interface Computation {
        void run(MemorySegment[] inputs, MemorySegment[] outputs) throws Exception;
    }

    /** Shape and dtype of one output of an op. */
    public record Output(int[] shape, DType dtype) {
        public Output {
            shape = shape.clone();
        }
    }

    /** Submits a single-output op; see {@link #submit(String, StreamOrDevice, Array[], Output[], Computation)}. */
    public static Array submit(
            String op, StreamOrDevice where, Array[] inputs, int[] shape, DType dtype, Computation body) {
        return submit(op, where, inputs, new Output[] {new Output(shape, dtype)}, body)[0];
    }

    /**
     * Schedules {@code body} on the stream named by {@code where} ({@code null}: the default stream) after all
     * {@code inputs} are computed, and returns its outputs as pending arrays.
     */
    public static Array[] submit(String op, StreamOrDevice where, Array[] inputs, Output[] outputs, Computation body) {
        Stream stream = StreamOrDevice.resolve(where);
        CompletableFuture<?>[] deps = new CompletableFuture<?>[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            deps[i] = inputs[i].dataFuture();
        }
        CompletableFuture<MemorySegment[]> task = CompletableFuture.allOf(deps)
                .thenApplyAsync(
                        ignored -> {
                            MemorySegment[] in = new MemorySegment[inputs.length];
                            for (int i = 0; i < in.length; i++) {
                                in[i] = inputs[i].dataFuture().join();
                            }
                            MemorySegment[] out = new MemorySegment[outputs.length];
                            try {
                                for (int i = 0; i < out.length; i++) {
                                    out[i] = Array.allocate(io.jmlx.Shape.size(outputs[i].shape()), outputs[i].dtype());
                                }
                                body.run(in, out);
                            } catch (Throwable t) {
                                String message = t.getMessage() == null ? t.toString() : t.getMessage();
                                throw new EvaluationException(
                                        op, message.startsWith("[") ? message : "[" + op + "] " + message, t);
                            }
                            return out;
                        },
                        stream.executor());
        AtomicInteger uncancelled = new AtomicInteger(outputs.length);
        Array[] result = new Array[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            OutputFuture future = new OutputFuture(task, uncancelled);
            int index = i;
            task.whenComplete((segs, error) -> {
                if (error == null) {
                    future.complete(segs[index]);
                } else {
                    future.completeExceptionally(error instanceof CompletionException ? error.getCause() : error);
                }
            });
            result[i] = Array.deferred(outputs[i].shape(), outputs[i].dtype(), op, future);
        }
        return result;
    }
}
