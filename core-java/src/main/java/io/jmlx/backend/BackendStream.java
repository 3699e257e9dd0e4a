package io.jmlx.backend;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * How one stream of a device runs ops (MLX's {@code eval_cpu} / {@code eval_gpu} on a stream). The core's scheduler
 * runs each op's step on {@link #executor()}, one at a time and in submission order: it allocates the outputs from
 * {@link #memory()}, calls kernels from {@link #kernels()}, then asks {@link #completion()} when the op's results are
 * ready. A CPU stream computes inside the kernel calls, so its completion is immediate; a GPU stream records the
 * calls into command buffers, submits them in batches and completes from fences, so that consecutive ops on the same
 * stream are recorded without waiting for each other.
 */
public interface BackendStream {

    /** Runs the ops' steps one at a time, in submission order. */
    Executor executor();

    /** The kernels ops on this stream call (from the executor's thread only). */
    Kernels kernels();

    /** Where the outputs of ops on this stream are allocated. */
    Memory memory();

    /**
     * Completes once every kernel called so far on this stream has finished (exceptionally if one failed). Called
     * from the executor's thread right after an op's kernel calls; a CPU stream returns a completed stage.
     */
    CompletionStage<Void> completion();
}
