package io.jmlx;

import io.jmlx.kernels.Elements;
import io.jmlx.ops.ArrayInternals;
import io.jmlx.stream.Stream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A dense n-dimensional array (MLX's {@code array}): a shape, a {@link DType}, and row-major little-endian data
 * in a native {@link MemorySegment}.
 *
 * <p>Arrays returned by ops may still be computing on their stream: {@link #data()}, the {@code to...Array}
 * readers and {@link Jmlx#eval} wait for them. Data lives off-heap: arrays made by ops and factories own memory
 * from an automatic {@link Arena} (freed when unreachable); {@link #wrap} makes a zero-copy view of memory
 * someone else owns, such as a memory-mapped file.
 *
 * <pre>{@code
 * Array w = Array.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 * Array h = w.astype(DType.BFLOAT16);
 * float[] back = h.toFloatArray();
 * }</pre>
 */
public final class Array implements Tensor {
    /** Alignment of memory allocated for arrays: one AVX-512 vector. */
    public static final long ALIGNMENT = 64;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static {
        ArrayInternals.install(new ArrayInternals() {
            @Override
            protected Array pending(
                    int[] shape,
                    DType dtype,
                    String op,
                    Stream producer,
                    CompletableFuture<MemorySegment> recorded,
                    CompletableFuture<MemorySegment> data) {
                return new Array(shape, dtype, op, producer, recorded, data);
            }

            @Override
            protected Stream producer(Array a) {
                return a.producer;
            }

            @Override
            protected CompletableFuture<MemorySegment> recorded(Array a) {
                return a.recorded;
            }
        });
    }

    private final int[] shape;
    private final DType dtype;
    private final String op;
    /** The stream computing this array, {@code null} for given data. */
    private final Stream producer;
    /** Completes with the data's segment once the producing op's kernels were called on its stream. */
    private final CompletableFuture<MemorySegment> recorded;
    /** Completes with the data's segment once it is computed. */
    private final CompletableFuture<MemorySegment> data;

    private Array(
            int[] shape,
            DType dtype,
            String op,
            Stream producer,
            CompletableFuture<MemorySegment> recorded,
            CompletableFuture<MemorySegment> data) {
        this.shape = shape.clone();
        this.dtype = dtype;
        this.op = op;
        this.producer = producer;
        this.recorded = recorded;
        this.data = data;
        Shape.size(this.shape);
    }

    // ---------------------------------------------------------------- creation

    /** A float32 array holding {@code values} with the given shape. */
    public static Array of(float[] values, int... shape) {
        return of(values, DType.FLOAT32, shape);
    }

    /** An array of the floating type {@code dtype} holding {@code values} rounded to it (nearest even). */
    public static Array of(float[] values, DType dtype, int... shape) {
        requireFloating("dtype", dtype);
        MemorySegment seg = allocate(checkedLength(values.length, shape), dtype);
        Elements.writeRow(values, values.length, seg, dtype, 0);
        return completed(shape, dtype, seg);
    }

    /** An integer array ({@code int32}, {@code uint32}, ...) from {@code values}; for uint32 the int bits are stored as they are. */
    public static Array of(int[] values, DType dtype, int... shape) {
        if (!dtype.isInteger()) {
            throw new IllegalArgumentException("dtype must be an integer type for int[] values but is " + dtype);
        }
        MemorySegment seg = allocate(checkedLength(values.length, shape), dtype);
        for (int i = 0; i < values.length; i++) {
            if (dtype == DType.INT32 || dtype == DType.UINT32) {
                seg.setAtIndex(I32, i, values[i]);
            } else {
                Elements.setDouble(seg, dtype, i, dtype == DType.UINT64 ? values[i] & 0xFFFFFFFFL : values[i]);
            }
        }
        return completed(shape, dtype, seg);
    }

    /** An int64 array holding {@code values}. */
    public static Array of(long[] values, int... shape) {
        MemorySegment seg = allocate(checkedLength(values.length, shape), DType.INT64);
        MemorySegment.copy(values, 0, seg, I64, 0, values.length);
        return completed(shape, DType.INT64, seg);
    }

    /** An array of {@code dtype} whose little-endian bytes are {@code bytes} (copied). */
    public static Array fromBytes(byte[] bytes, DType dtype, int... shape) {
        long n = Shape.size(shape);
        if (n * dtype.byteSize() != bytes.length) {
            throw new IllegalArgumentException("bytes has " + bytes.length + " bytes but shape " + Shape.format(shape)
                    + " of " + dtype + " needs " + n * dtype.byteSize());
        }
        MemorySegment seg = allocate(n, dtype);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return completed(shape, dtype, seg);
    }

    /** An array of zeros. */
    public static Array zeros(DType dtype, int... shape) {
        return completed(shape, dtype, allocate(Shape.size(shape), dtype));
    }

    /**
     * A zero-copy view of {@code segment} as an array; the caller keeps the memory alive (e.g. an open
     * {@link io.jmlx.io.safetensors.SafetensorsFile}). The segment must hold exactly the array's bytes, little-endian.
     */
    public static Array wrap(MemorySegment segment, DType dtype, int... shape) {
        long bytes = Shape.size(shape) * dtype.byteSize();
        if (segment.byteSize() != bytes) {
            throw new IllegalArgumentException("segment has " + segment.byteSize() + " bytes but shape "
                    + Shape.format(shape) + " of " + dtype + " needs " + bytes);
        }
        return completed(shape, dtype, segment);
    }

    /** Native memory for {@code n} elements of {@code dtype} owned by an automatic arena, for the factories. */
    private static MemorySegment allocate(long n, DType dtype) {
        return Arena.ofAuto().allocate(Math.multiplyExact(n, dtype.byteSize()), ALIGNMENT);
    }

    private static Array completed(int[] shape, DType dtype, MemorySegment seg) {
        CompletableFuture<MemorySegment> done = CompletableFuture.completedFuture(seg);
        return new Array(shape, dtype, "constant", null, done, done);
    }

    private static long checkedLength(int length, int[] shape) {
        long n = Shape.size(shape);
        if (n != length) {
            throw new IllegalArgumentException(
                    "values has " + length + " elements but shape " + Shape.format(shape) + " needs " + n);
        }
        return n;
    }

    static void requireFloating(String what, DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(
                    what + " must be a floating type (float32, float16, bfloat16, float64) but is " + dtype);
        }
    }

    // ---------------------------------------------------------------- description

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        int a = axis < 0 ? axis + shape.length : axis;
        if (a < 0 || a >= shape.length) {
            throw new IllegalArgumentException(
                    "axis " + axis + " is out of range for an array with " + shape.length + " dimensions");
        }
        return shape[a];
    }

    @Override
    public int ndim() {
        return shape.length;
    }

    /** Number of elements. */
    public long size() {
        return Shape.size(shape);
    }

    /** Number of bytes of data. */
    public long nbytes() {
        return size() * dtype.byteSize();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public boolean isQuantized() {
        return false;
    }

    /** Name of the op that produces this array ({@code constant} for data given directly). */
    public String op() {
        return op;
    }

    /** True once the data is there (computed or given). */
    public boolean isEvaluated() {
        return data.isDone() && !data.isCompletedExceptionally();
    }

    // ---------------------------------------------------------------- data

    /** The future of this array's data; ops chain on it. */
    public CompletableFuture<MemorySegment> dataFuture() {
        return data;
    }

    /** The data, waiting for the computation if needed; throws {@link EvaluationException} if it failed. */
    public MemorySegment data() {
        return await(data, op);
    }

    /** The elements as floats (waiting first); half types widen exactly. */
    public float[] toFloatArray() {
        MemorySegment seg = data();
        float[] out = new float[Math.toIntExact(size())];
        Elements.readRow(seg, dtype, 0, out, out.length);
        return out;
    }

    /** The elements of an integer array as ints (uint32 bits are returned as they are). */
    public int[] toIntArray() {
        if (!dtype.isInteger() || dtype.byteSize() > 4) {
            throw new IllegalStateException(
                    "toIntArray needs an integer array of at most 32 bits but this is " + dtype);
        }
        MemorySegment seg = data();
        int[] out = new int[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.byteSize() == 4 ? seg.getAtIndex(I32, i) : (int) Elements.getDouble(seg, dtype, i);
        }
        return out;
    }

    /** The raw little-endian bytes of the data. */
    public byte[] toBytes() {
        return data().toArray(ValueLayout.JAVA_BYTE);
    }

    // ---------------------------------------------------------------- ops as methods

    /** This array converted to {@code dtype} (see {@link Jmlx#astype}). */
    public Array astype(DType target) {
        return Jmlx.astype(this, target);
    }

    /** The same data seen with another shape of the same size (no copy). */
    public Array reshape(int... newShape) {
        if (Shape.size(newShape) != size()) {
            throw new IllegalArgumentException(
                    "[reshape] Cannot reshape array of size " + size() + " into shape " + Shape.format(newShape) + ".");
        }
        return new Array(newShape, dtype, op, producer, recorded, data);
    }

    @Override
    public String toString() {
        return "Array(shape=" + Shape.format(shape) + ", dtype=" + dtype + (isEvaluated() ? "" : ", pending") + ")";
    }

    private static MemorySegment await(CompletableFuture<MemorySegment> future, String op) {
        try {
            return future.join();
        } catch (CancellationException e) {
            throw e;
        } catch (CompletionException e) {
            throw EvaluationFailures.rethrow(e, op);
        }
    }
}
