package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.stream.Stream;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

/**
 * What the ops may do with an {@link Array} that its public API does not offer: make one whose data an op computes
 * on a stream, and ask which stream computes an array and when its kernels were called there. {@link Array}
 * installs the one implementation when it is initialized (the JDK's "shared secrets" pattern), so that these stay out
 * of the public API; this package is not exported.
 */
public abstract class ArrayInternals {
    private static volatile ArrayInternals instance;

    /** Called once, by {@link Array}'s static initializer. */
    public static void install(ArrayInternals internals) {
        if (instance != null) {
            throw new IllegalStateException("ArrayInternals is installed already");
        }
        instance = internals;
    }

    static ArrayInternals get() {
        ArrayInternals i = instance;
        if (i == null) {
            try {
                Class.forName(Array.class.getName(), true, Array.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            i = instance;
        }
        return i;
    }

    /**
     * An array computed by op {@code op} on {@code producer}: {@code recorded} completes with its segment once the
     * op's kernels were called on the stream, {@code data} once the values are there.
     */
    protected abstract Array pending(
            int[] shape,
            DType dtype,
            String op,
            Stream producer,
            CompletableFuture<MemorySegment> recorded,
            CompletableFuture<MemorySegment> data);

    /** The stream computing {@code a}, or {@code null} for data given directly. */
    protected abstract Stream producer(Array a);

    /** Completes with {@code a}'s segment once its op's kernels were called on its stream. */
    protected abstract CompletableFuture<MemorySegment> recorded(Array a);
}
