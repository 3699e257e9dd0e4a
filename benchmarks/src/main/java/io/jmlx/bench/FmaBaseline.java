package io.jmlx.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The compute limit: one thread runs float32 fused multiply-adds of the preferred vector species on twelve
 * independent accumulators held in registers (enough to cover the FMA latency on two pipes), with no memory
 * traffic. Its GFLOP/s (an FMA counts two) is the ceiling for a compute-bound kernel.
 */
public class FmaBaseline extends JmlxBenchmark {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Loop trips per op; each trip does twelve vector FMAs. */
    static final int TRIPS = 1 << 20;

    static final int ACCUMULATORS = 12;

    /** Multiplier and addend, read from fields so the JIT cannot fold the loop; the sums converge to 1. */
    private float mul = 0.999f;

    private float add = 0.001f;
    private float start = 0.5f;

    /** {@value #TRIPS} trips of twelve dependent-per-accumulator FMAs. */
    @Benchmark
    public float fma() {
        FloatVector m = FloatVector.broadcast(SPECIES, mul);
        FloatVector c = FloatVector.broadcast(SPECIES, add);
        FloatVector a0 = FloatVector.broadcast(SPECIES, start);
        FloatVector a1 = a0.add(c);
        FloatVector a2 = a1.add(c);
        FloatVector a3 = a2.add(c);
        FloatVector a4 = a3.add(c);
        FloatVector a5 = a4.add(c);
        FloatVector a6 = a5.add(c);
        FloatVector a7 = a6.add(c);
        FloatVector a8 = a7.add(c);
        FloatVector a9 = a8.add(c);
        FloatVector a10 = a9.add(c);
        FloatVector a11 = a10.add(c);
        for (int i = 0; i < TRIPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        FloatVector s = a0.add(a1)
                .add(a2.add(a3))
                .add(a4.add(a5).add(a6.add(a7)))
                .add(a8.add(a9).add(a10.add(a11)));
        return s.reduceLanes(VectorOperators.ADD);
    }

    static Workload workload(BenchmarkParams p) {
        return new Workload(
                ACCUMULATORS + " accumulators, " + SPECIES.length() + " lanes",
                Double.NaN,
                2.0 * SPECIES.length() * ACCUMULATORS * TRIPS);
    }
}
