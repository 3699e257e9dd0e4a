package io.jmlx.kernels;

import io.jmlx.backend.RopeKernels;
import io.jmlx.backend.RopeSpec;
import java.lang.foreign.MemorySegment;

/** The CPU's rotary position embedding: the table of {@link RopeAngles}, then each row rotated. */
final class CpuRope implements RopeKernels {

    @Override
    public void rope(RopeSpec spec, MemorySegment in, MemorySegment out) {
        int length = spec.length();
        int features = spec.features();
        int half = spec.dims() / 2;
        int secondOffset = spec.traditional() ? 1 : half;
        int pairStride = spec.traditional() ? 2 : 1;
        double[] cos = new double[length * half];
        double[] sin = new double[length * half];
        RopeAngles.compute(spec, cos, sin);
        float[] row = new float[features];
        for (long r = 0; r < spec.rows(); r++) {
            Elements.readRow(in, spec.dtype(), r * features, row, features);
            int l = (int) (r % length);
            for (int j = 0; j < half; j++) {
                int first = j * pairStride;
                int second = first + secondOffset;
                double x1 = row[first];
                double x2 = row[second];
                double c = cos[l * half + j];
                double sn = sin[l * half + j];
                row[first] = (float) (x1 * c - x2 * sn);
                row[second] = (float) (x1 * sn + x2 * c);
            }
            Elements.writeRow(row, features, out, spec.dtype(), r * features);
        }
    }
}
