package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.backend.GatherKernels;
import io.jmlx.backend.TakeSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The CPU's {@code take}: slices copied block by block. */
final class CpuGather implements GatherKernels {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void take(TakeSpec spec, MemorySegment a, MemorySegment indices, MemorySegment out) {
        int size = spec.axisSize();
        long sliceBytes = spec.sliceBytes();
        long target = 0;
        for (long o = 0; o < spec.outer(); o++) {
            long base = o * size * sliceBytes;
            for (long i = 0; i < spec.count(); i++) {
                long index = indexAt(indices, spec.indexType(), i);
                if (index < -size || index >= size) {
                    throw spec.indexOutOfRange(index, i);
                }
                long row = index < 0 ? index + size : index;
                MemorySegment.copy(a, base + row * sliceBytes, out, target, sliceBytes);
                target += sliceBytes;
            }
        }
    }

    private static long indexAt(MemorySegment seg, DType t, long i) {
        return switch (t) {
            case INT32 -> seg.getAtIndex(I32, i);
            case UINT32 -> seg.getAtIndex(I32, i) & 0xFFFFFFFFL;
            case INT64, UINT64 -> seg.getAtIndex(I64, i);
            default -> (long) Elements.getDouble(seg, t, i);
        };
    }
}
