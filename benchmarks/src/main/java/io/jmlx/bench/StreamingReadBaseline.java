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
 * The memory-bandwidth limit: one thread sums a native segment far larger than the caches with
 * {@code FloatVector} loads of the preferred species, four independent accumulators. Its GB/s is what a
 * memory-bound kernel (a matrix-vector product) can reach at best.
 */
public class StreamingReadBaseline extends JmlxBenchmark {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Size of the segment in MiB. */
    @Param({"1024"})
    public int mib;

    private Arena arena;
    private MemorySegment data;

    /** Allocates and fills the segment (every page touched). */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate((long) mib << 20, 64);
        data.fill((byte) 0x3c);
    }

    /** Frees the segment. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One pass over the whole segment. */
    @Benchmark
    public float sum() {
        MemorySegment seg = data;
        long step = SPECIES.vectorByteSize();
        long end = seg.byteSize() - 4 * step;
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES);
        FloatVector a3 = FloatVector.zero(SPECIES);
        long off = 0;
        for (; off <= end; off += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, seg, off, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, seg, off + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, seg, off + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, seg, off + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; off < seg.byteSize(); off += Float.BYTES) {
            sum += seg.get(Inputs.F32, off);
        }
        return sum;
    }

    static Workload workload(BenchmarkParams p) {
        int mib = Integer.parseInt(p.getParam("mib"));
        return new Workload(mib + " MiB read", (double) mib * (1 << 20), Double.NaN);
    }
}
