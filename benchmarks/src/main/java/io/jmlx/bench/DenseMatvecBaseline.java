package io.jmlx.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A reference point: a plain float32 matrix-vector product {@code y = W·x} ({@code W} of shape {@code [N, K]})
 * with {@code FloatVector} over native segments, one thread. What an unquantized linear layer costs; its GB/s
 * counts W's bytes.
 */
public class DenseMatvecBaseline extends JmlxBenchmark {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Matrix shape {@code NxK}. */
    @Param({"4096x4096"})
    public String shape;

    private Arena arena;
    private MemorySegment w;
    private MemorySegment x;
    private MemorySegment y;
    private int n;
    private int k;

    /** Allocates and fills W and x with random values. */
    @Setup(Level.Trial)
    public void setUp() {
        int[] nk = parseShape(shape);
        n = nk[0];
        k = nk[1];
        arena = Arena.ofShared();
        w = arena.allocate((long) n * k * Float.BYTES, 64);
        x = arena.allocate((long) k * Float.BYTES, 64);
        y = arena.allocate((long) n * Float.BYTES, 64);
        Inputs.fillGaussian(w, (long) n * k, SEED, 0.02);
        Inputs.fillGaussian(x, k, SEED + 1, 1.0);
    }

    /** Frees the segments. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One product. */
    @Benchmark
    public MemorySegment matvec() {
        long step = SPECIES.vectorByteSize();
        long rowBytes = (long) k * Float.BYTES;
        long end = rowBytes - 4 * step;
        for (int r = 0; r < n; r++) {
            long base = r * rowBytes;
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = FloatVector.zero(SPECIES);
            FloatVector a2 = FloatVector.zero(SPECIES);
            FloatVector a3 = FloatVector.zero(SPECIES);
            long off = 0;
            for (; off <= end; off += 4 * step) {
                a0 = FloatVector.fromMemorySegment(SPECIES, w, base + off, LE)
                        .fma(FloatVector.fromMemorySegment(SPECIES, x, off, LE), a0);
                a1 = FloatVector.fromMemorySegment(SPECIES, w, base + off + step, LE)
                        .fma(FloatVector.fromMemorySegment(SPECIES, x, off + step, LE), a1);
                a2 = FloatVector.fromMemorySegment(SPECIES, w, base + off + 2 * step, LE)
                        .fma(FloatVector.fromMemorySegment(SPECIES, x, off + 2 * step, LE), a2);
                a3 = FloatVector.fromMemorySegment(SPECIES, w, base + off + 3 * step, LE)
                        .fma(FloatVector.fromMemorySegment(SPECIES, x, off + 3 * step, LE), a3);
            }
            float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            for (; off < rowBytes; off += Float.BYTES) {
                sum += w.get(Inputs.F32, base + off) * x.get(Inputs.F32, off);
            }
            y.setAtIndex(Inputs.F32, r, sum);
        }
        return y;
    }

    static Workload workload(BenchmarkParams p) {
        int[] nk = parseShape(p.getParam("shape"));
        return new Workload(
                p.getParam("shape") + " f32 M=1", (double) nk[0] * nk[1] * Float.BYTES, 2.0 * nk[0] * nk[1]);
    }
}
