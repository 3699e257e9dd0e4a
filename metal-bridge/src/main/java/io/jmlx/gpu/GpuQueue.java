package io.jmlx.gpu;

import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.VulkanDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Runs GPU work in order on the device's compute queue. Work is recorded into the open command buffer; the
 * buffer is submitted by {@link #flush()} or when it is full, and several buffers can be in flight. A completion
 * thread blocks in {@code vkWaitForFences} (the driver blocks it; nothing spins) and then runs each recorded
 * operation's completion (reading results, copying outputs out of staging memory) and completes its future.
 * Every command buffer starts with a barrier, so an operation sees the results of all earlier ones.
 */
public final class GpuQueue implements AutoCloseable {
    /** Command buffers that may be recorded or in flight at once. */
    private static final int RECORDERS = 3;

    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** What one recorded operation does when its command buffer has completed. */
    @FunctionalInterface
    public interface Completion {
        void run() throws Exception;
    }

    private record Pending(CompletableFuture<Void> future, Completion completion, Object keepAlive) {}

    private static final class Batch {
        final CommandRecorder recorder;
        final long timestampPool;
        final List<Pending> pending = new ArrayList<>();

        Batch(CommandRecorder recorder, long timestampPool) {
            this.recorder = recorder;
            this.timestampPool = timestampPool;
        }
    }

    private final VulkanDevice device;
    /** Held while submitting: the device's queue is shared by every GpuQueue, and Vulkan wants one submitter. */
    private final Object submitLock;

    private final BlockingQueue<Batch> idle = new ArrayBlockingQueue<>(RECORDERS);
    private final BlockingQueue<Batch> submitted = new LinkedBlockingQueue<>();
    private final Thread completer;
    private final boolean timestamps;
    private volatile LongConsumer batchTimeListener;
    private Batch open;
    private volatile boolean closing;

    GpuQueue(VulkanDevice device, Object submitLock) {
        this.device = device;
        this.submitLock = submitLock;
        this.timestamps = device.physical().timestampValidBits() > 0;
        for (int i = 0; i < RECORDERS; i++) {
            idle.add(new Batch(new CommandRecorder(device), timestamps ? device.createTimestampPool(2) : 0L));
        }
        this.completer =
                Thread.ofPlatform().daemon().name("jmlx-gpu-completion").unstarted(this::complete);
        completer.start();
    }

    /**
     * Receives the GPU time of each completed command buffer in nanoseconds (from timestamp queries), or null
     * to stop; nothing is reported when the device has no timestamps.
     */
    public void onBatchTime(LongConsumer listener) {
        this.batchTimeListener = listener;
    }

    /**
     * Records one operation: each of {@code dispatches} records one dispatch (a full command buffer is submitted
     * between them), and {@code completion} runs once all have executed. {@code keepAlive} (the operation's
     * segments) stays reachable until then, so pooled memory is not reused while the GPU still uses it.
     */
    public synchronized CompletableFuture<Void> record(
            List<Consumer<CommandRecorder>> dispatches, Completion completion, Object keepAlive) {
        Batch batch = null;
        for (Consumer<CommandRecorder> dispatch : dispatches) {
            if (open != null && !open.recorder.hasRoom()) {
                flush();
            }
            batch = openBatch();
            dispatch.accept(batch.recorder);
            batch.recorder.barrier(false);
        }
        if (batch == null) {
            batch = openBatch();
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        batch.pending.add(new Pending(future, completion, keepAlive));
        return future;
    }

    /** Submits the open command buffer, if any. */
    public synchronized void flush() {
        Batch batch = open;
        if (batch == null) {
            return;
        }
        open = null;
        try {
            if (batch.timestampPool != 0) {
                batch.recorder.timestamp(batch.timestampPool, 1);
            }
            batch.recorder.barrier(true);
            synchronized (submitLock) {
                batch.recorder.submit();
            }
        } catch (RuntimeException e) {
            fail(batch, e);
            idle.add(batch);
            throw e;
        }
        submitted.add(batch);
    }

    private Batch openBatch() {
        if (open == null) {
            if (closing) {
                throw new IllegalStateException("the GPU queue is closed");
            }
            Batch batch;
            try {
                batch = idle.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a free GPU command buffer", e);
            }
            batch.pending.clear();
            batch.recorder.begin();
            batch.recorder.barrier(false);
            if (batch.timestampPool != 0) {
                batch.recorder.resetTimestamps(batch.timestampPool, 0, 2);
                batch.recorder.timestamp(batch.timestampPool, 0);
            }
            open = batch;
        }
        return open;
    }

    private void complete() {
        while (true) {
            Batch batch;
            try {
                batch = submitted.take();
            } catch (InterruptedException e) {
                return;
            }
            if (batch.recorder == null) {
                return; // the close() sentinel
            }
            try {
                while (!device.waitForFence(batch.recorder.fence(), WAIT_SLICE_NANOS)) {
                    // keeps waiting; the slice only bounds each blocking call
                }
                reportTime(batch);
                for (Pending p : batch.pending) {
                    try {
                        p.completion().run();
                        p.future().complete(null);
                    } catch (Throwable t) {
                        p.future().completeExceptionally(t);
                    }
                }
            } catch (RuntimeException e) {
                fail(batch, e);
            }
            batch.pending.clear();
            idle.add(batch);
        }
    }

    private void reportTime(Batch batch) {
        LongConsumer listener = batchTimeListener;
        if (listener != null && batch.timestampPool != 0) {
            long[] ticks = device.timestamps(batch.timestampPool, 0, 2);
            listener.accept(Math.round(
                    (ticks[1] - ticks[0]) * (double) device.physical().timestampPeriod()));
        }
    }

    private static void fail(Batch batch, Throwable t) {
        for (Pending p : batch.pending) {
            p.future().completeExceptionally(t);
        }
    }

    /** Submits what is open, waits for everything in flight, and stops the completion thread. */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            flush();
            closing = true;
        }
        submitted.add(new Batch(null, 0));
        try {
            completer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Batch b : idle) {
            b.recorder.close();
            if (b.timestampPool != 0) {
                device.functions()
                        .vkDestroyQueryPool(device.handle(), b.timestampPool, java.lang.foreign.MemorySegment.NULL);
            }
        }
    }
}
