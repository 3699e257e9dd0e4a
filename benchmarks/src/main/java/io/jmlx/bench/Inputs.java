package io.jmlx.bench;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.stream.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Random float32 inputs written straight into native memory (no large heap arrays), and copies on a device. */
final class Inputs {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Inputs() {}

    /** A {@code rows × cols} float32 array of normal values with standard deviation {@code std}. */
    static Array gaussian(long seed, int rows, int cols, double std) {
        long n = (long) rows * cols;
        MemorySegment seg = allocate(n, DType.FLOAT32);
        fillGaussian(seg, n, seed, std);
        return Array.wrap(seg, DType.FLOAT32, rows, cols);
    }

    /**
     * A bit-exact copy of {@code a} made by an op on {@code device}, so that it lives in that device's memory (GPU
     * memory for a GPU: an op's inputs from elsewhere would be copied in on every use).
     */
    static Array on(Device device, Array a) {
        int[] identity = java.util.stream.IntStream.range(0, a.ndim()).toArray();
        Array copy = Jmlx.transpose(a, identity, device);
        Jmlx.eval(copy);
        return copy;
    }

    /** Native memory for {@code n} elements of {@code dtype}, aligned as jmlx aligns arrays. */
    static MemorySegment allocate(long n, DType dtype) {
        return Arena.ofAuto().allocate(n * dtype.byteSize(), Array.ALIGNMENT);
    }

    /** Writes {@code n} normal float32 values with standard deviation {@code std} into {@code seg}. */
    static void fillGaussian(MemorySegment seg, long n, long seed, double std) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            seg.setAtIndex(F32, i, (float) (random.nextGaussian() * std));
        }
    }
}
