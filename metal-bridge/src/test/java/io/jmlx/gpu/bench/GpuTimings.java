package io.jmlx.gpu.bench;

import io.jmlx.DType;
import io.jmlx.gpu.Gpu;
import io.jmlx.gpu.testing.Native;
import io.jmlx.kernels.KernelProvider;
import io.jmlx.kernels.KernelSet;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Times, for the record, the GPU kernels on the device jmlx picks, beside the CPU kernels on the same inputs:
 * 4-bit (group 64) affine quantize of a 4096×4096 float32 matrix, and the product of that matrix with one vector.
 * Prints the median wall time of the blocking call (submission and completion included) and the median GPU time
 * from timestamp queries. Not a test: run it with {@code java ... io.jmlx.gpu.bench.GpuTimings [runs]}.
 */
public final class GpuTimings {
    private GpuTimings() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int n = 4096;
        int k = 4096;
        Gpu gpu = Gpu.shared();
        KernelSet cpu = KernelProvider.get();
        System.out.println("device: " + gpu.physicalDevice().describe() + "; CPU kernels: " + cpu.name());
        Random random = new Random(1);
        MemorySegment w = gpu.memory().allocate(4L * n * k);
        for (long i = 0; i < (long) n * k; i++) {
            w.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
        }
        MemorySegment packed = gpu.memory().allocate((long) n * k / 2);
        MemorySegment scales = gpu.memory().allocate((long) n * k / 64 * 4);
        MemorySegment biases = gpu.memory().allocate((long) n * k / 64 * 4);
        MemorySegment x = gpu.memory().allocate(4L * k);
        for (int i = 0; i < k; i++) {
            x.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
        }
        MemorySegment y = gpu.memory().allocate(4L * n);
        List<Long> gpuTimes = new CopyOnWriteArrayList<>();
        gpu.queue().onBatchTime(gpuTimes::add);

        report(
                "quantize 4096x4096 f32 -> 4-bit g64, GPU",
                runs,
                gpuTimes,
                () -> gpu.kernels().affineQuantize(w, DType.FLOAT32, n, k, 64, 4, packed, scales, biases));
        MemorySegment cp = Native.allocate((long) n * k / 8, DType.UINT32);
        MemorySegment cs = Native.allocate((long) n * k / 64, DType.FLOAT32);
        MemorySegment cb = Native.allocate((long) n * k / 64, DType.FLOAT32);
        report(
                "quantize 4096x4096 f32 -> 4-bit g64, CPU",
                runs,
                null,
                () -> cpu.affineQuantize(w, DType.FLOAT32, n, k, 64, 4, cp, cs, cb));
        report(
                "4-bit 4096x4096 matrix-vector, GPU",
                runs,
                gpuTimes,
                () -> gpu.kernels().affineMatmul(x, packed, scales, biases, DType.FLOAT32, 1, k, n, true, 64, 4, y));
        MemorySegment cy = Native.allocate(n, DType.FLOAT32);
        report(
                "4-bit 4096x4096 matrix-vector, CPU",
                runs,
                null,
                () -> cpu.affineMatmul(x, cp, cs, cb, DType.FLOAT32, 1, k, n, true, 64, 4, cy));
        gpu.queue().onBatchTime(null);
    }

    private static void report(String what, int runs, List<Long> gpuTimes, Runnable op) {
        op.run(); // warm-up: pipeline creation, first touch of memory
        if (gpuTimes != null) {
            gpuTimes.clear();
        }
        long[] wall = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            op.run();
            wall[i] = System.nanoTime() - t0;
        }
        StringBuilder line = new StringBuilder(String.format(
                "%-42s wall median %8.2f ms (min %.2f)",
                what, median(wall) / 1e6, Arrays.stream(wall).min().orElse(0) / 1e6));
        if (gpuTimes != null && !gpuTimes.isEmpty()) {
            long[] g = new ArrayList<>(gpuTimes)
                    .stream().mapToLong(Long::longValue).toArray();
            line.append(String.format(", GPU timestamps median %.2f ms", median(g) / 1e6));
        }
        System.out.println(line);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
