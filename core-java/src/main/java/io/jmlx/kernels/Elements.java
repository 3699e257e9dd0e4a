package io.jmlx.kernels;

import io.jmlx.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads and writes elements of little-endian native segments as {@code float}, one dtype at a time. The
 * scalar kernels convert whole rows through these helpers so that their inner loops see plain float arrays.
 */
public final class Elements {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Elements() {}

    /** Element {@code index} of {@code seg} (of type {@code t}) as a float; integers convert as by a Java cast. */
    public static float getFloat(MemorySegment seg, DType t, long index) {
        return switch (t) {
            case FLOAT32 -> seg.getAtIndex(F32, index);
            case FLOAT16 -> FloatFormats.fromFloat16(seg.getAtIndex(I16, index));
            case BFLOAT16 -> FloatFormats.fromBFloat16(seg.getAtIndex(I16, index));
            case FLOAT64 -> (float) seg.getAtIndex(F64, index);
            case BOOL, UINT8 -> seg.get(ValueLayout.JAVA_BYTE, index) & 0xFF;
            case INT8 -> seg.get(ValueLayout.JAVA_BYTE, index);
            case UINT16 -> seg.getAtIndex(I16, index) & 0xFFFF;
            case INT16 -> seg.getAtIndex(I16, index);
            case UINT32 -> seg.getAtIndex(I32, index) & 0xFFFFFFFFL;
            case INT32 -> seg.getAtIndex(I32, index);
            case UINT64 -> unsignedToFloat(seg.getAtIndex(I64, index));
            case INT64 -> seg.getAtIndex(I64, index);
            case FLOAT8_E4M3, FLOAT8_E5M2 ->
                throw new UnsupportedOperationException(t + " is a storage-only dtype and cannot be read as numbers");
        };
    }

    /** Element {@code index} of {@code seg} (of type {@code t}) as a double (exact for every numeric type but 64-bit integers). */
    public static double getDouble(MemorySegment seg, DType t, long index) {
        return switch (t) {
            case FLOAT64 -> seg.getAtIndex(F64, index);
            case INT64 -> seg.getAtIndex(I64, index);
            case UINT64 -> unsignedToDouble(seg.getAtIndex(I64, index));
            default -> getFloat(seg, t, index);
        };
    }

    /**
     * Stores {@code v} as element {@code index} of {@code seg}: rounded to nearest even for the half types,
     * truncated toward zero (saturating) for integer types.
     */
    public static void setFloat(MemorySegment seg, DType t, long index, float v) {
        switch (t) {
            case FLOAT32 -> seg.setAtIndex(F32, index, v);
            case FLOAT16 -> seg.setAtIndex(I16, index, FloatFormats.toFloat16(v));
            case BFLOAT16 -> seg.setAtIndex(I16, index, FloatFormats.toBFloat16(v));
            default -> setDouble(seg, t, index, v);
        }
    }

    /** Stores {@code v} as element {@code index}; see {@link #setFloat}. */
    public static void setDouble(MemorySegment seg, DType t, long index, double v) {
        switch (t) {
            case FLOAT64 -> seg.setAtIndex(F64, index, v);
            case FLOAT32, FLOAT16, BFLOAT16 -> setFloat(seg, t, index, (float) v);
            case BOOL -> seg.set(ValueLayout.JAVA_BYTE, index, (byte) (v != 0 ? 1 : 0));
            case UINT8, INT8 -> seg.set(ValueLayout.JAVA_BYTE, index, (byte) (long) v);
            case UINT16, INT16 -> seg.setAtIndex(I16, index, (short) (long) v);
            case UINT32, INT32 -> seg.setAtIndex(I32, index, (int) (long) v);
            case UINT64, INT64 -> seg.setAtIndex(I64, index, (long) v);
            case FLOAT8_E4M3, FLOAT8_E5M2 ->
                throw new UnsupportedOperationException(
                        t + " is a storage-only dtype and cannot be written as numbers");
        }
    }

    /** Copies {@code n} elements starting at element {@code from} into {@code dst[0..n)} as floats. */
    public static void readRow(MemorySegment seg, DType t, long from, float[] dst, int n) {
        switch (t) {
            case FLOAT32 -> MemorySegment.copy(seg, F32, from * 4, dst, 0, n);
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    dst[i] = FloatFormats.fromFloat16(seg.getAtIndex(I16, from + i));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    dst[i] = FloatFormats.fromBFloat16(seg.getAtIndex(I16, from + i));
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    dst[i] = getFloat(seg, t, from + i);
                }
            }
        }
    }

    /** Stores {@code src[0..n)} as elements {@code from..from+n) of {@code seg}, rounding as {@link #setFloat}. */
    public static void writeRow(float[] src, int n, MemorySegment seg, DType t, long from) {
        if (t == DType.FLOAT32) {
            MemorySegment.copy(src, 0, seg, F32, from * 4, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            setFloat(seg, t, from + i, src[i]);
        }
    }

    private static float unsignedToFloat(long v) {
        return (float) unsignedToDouble(v);
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }
}
