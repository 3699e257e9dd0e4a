package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.backend.ConversionKernels;
import java.lang.foreign.MemorySegment;

/** The CPU's type conversion: through float32 (through float64 when either side is 64 bits wide). */
final class CpuConversion implements ConversionKernels {
    @Override
    public void convert(DType from, DType to, long count, MemorySegment in, MemorySegment out) {
        boolean wide = from == DType.FLOAT64 || from == DType.INT64 || from == DType.UINT64;
        for (long i = 0; i < count; i++) {
            if (wide) {
                Elements.setDouble(out, to, i, Elements.getDouble(in, from, i));
            } else {
                Elements.setFloat(out, to, i, Elements.getFloat(in, from, i));
            }
        }
    }
}
