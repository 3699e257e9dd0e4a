package io.jmlx.stream;

import io.jmlx.backend.BackendStream;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ordered queue of work on one device, as MLX's streams: ops submitted to a stream run one after another
 * on it, while different streams run side by side. Each op waits for its inputs, whichever stream computes them.
 *
 * <p>The default stream is the CPU's unless a thread has chosen another with {@link #use(StreamOrDevice)}:
 * <pre>{@code
 * Stream s = Stream.newStream(Device.cpu());
 * try (var scope = Stream.use(s)) {
 *     Array y = Jmlx.matmul(x, w);   // runs on s
 * }
 * }</pre>
 */
public final class Stream implements StreamOrDevice {
    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();
    private static final ThreadLocal<Stream> THREAD_DEFAULT = new ThreadLocal<>();

    private final Device device;
    private final int index;
    private final BackendStream backend;

    private Stream(Device device, int index) {
        this.device = device;
        this.index = index;
        this.backend = device.backendDevice().newStream("jmlx-" + device.type() + "-stream-" + index);
    }

    static Stream create(Device device) {
        return new Stream(device, NEXT_INDEX.getAndIncrement());
    }

    /** A new stream on {@code device} (MLX's {@code new_stream}). */
    public static Stream newStream(Device device) {
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        return create(device);
    }

    /** The stream ops use when none is given: the calling thread's choice, else the CPU's default stream. */
    public static Stream defaultStream() {
        Stream s = THREAD_DEFAULT.get();
        return s != null ? s : Device.cpu().defaultStream();
    }

    /** The calling thread's chosen default stream, or {@code null} when it has chosen none. */
    public static Stream threadDefault() {
        return THREAD_DEFAULT.get();
    }

    /**
     * Makes {@code s} (a stream, or a device's default stream) the calling thread's default stream and returns
     * the previous choice ({@code null} for none); {@code null} clears the choice. Scoping layers (such as the
     * Kotlin coroutine context) pair this with a second call that restores the returned value.
     */
    public static Stream setThreadDefault(StreamOrDevice s) {
        Stream previous = THREAD_DEFAULT.get();
        if (s == null) {
            THREAD_DEFAULT.remove();
        } else {
            THREAD_DEFAULT.set(s.stream());
        }
        return previous;
    }

    /** Uses {@code s} as the thread's default stream until the returned scope is closed (MLX's {@code with mx.stream(s)}). */
    public static Scope use(StreamOrDevice s) {
        if (s == null) {
            throw new IllegalArgumentException("stream or device must not be null");
        }
        return new Scope(setThreadDefault(s));
    }

    /** The device this stream runs on. */
    public Device device() {
        return device;
    }

    /** A process-wide number identifying this stream. */
    public int index() {
        return index;
    }

    /** The executor that runs this stream's ops in order, one at a time. */
    public Executor executor() {
        return backend.executor();
    }

    /** How the device's backend runs this stream's work: its kernels, memory and completion (for the ops). */
    public BackendStream backend() {
        return backend;
    }

    /** Ops given a stream run on that stream. */
    @Override
    public Stream stream() {
        return this;
    }

    @Override
    public String toString() {
        return "Stream(" + device.type() + ", " + index + ")";
    }

    /** Restores the previous default stream when closed; see {@link #use(StreamOrDevice)}. */
    public static final class Scope implements AutoCloseable {
        private final Stream previous;
        private boolean closed;

        private Scope(Stream previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                setThreadDefault(previous);
            }
        }
    }
}
