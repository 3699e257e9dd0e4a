package io.jmlx.kernels;

import io.jmlx.DType;
import io.jmlx.backend.AxisLines;
import java.lang.foreign.MemorySegment;

/** Reads and writes whole {@link AxisLines} lines as floats, for the kernels that work line by line. */
final class LineAccess {
    private LineAccess() {}

    /** Reads line {@code line} of {@code seg} (type {@code t}) into {@code dst[0..length)} as floats. */
    static void read(AxisLines lines, MemorySegment seg, DType t, long line, float[] dst) {
        long start = lines.first(line);
        if (lines.inner() == 1) {
            Elements.readRow(seg, t, start, dst, lines.length());
            return;
        }
        for (int k = 0; k < lines.length(); k++) {
            dst[k] = Elements.getFloat(seg, t, start + k * lines.inner());
        }
    }

    /** Writes {@code src[0..length)} as line {@code line} of {@code seg}, rounding to {@code t}. */
    static void write(AxisLines lines, float[] src, MemorySegment seg, DType t, long line) {
        long start = lines.first(line);
        if (lines.inner() == 1) {
            Elements.writeRow(src, lines.length(), seg, t, start);
            return;
        }
        for (int k = 0; k < lines.length(); k++) {
            Elements.setFloat(seg, t, start + k * lines.inner(), src[k]);
        }
    }
}
