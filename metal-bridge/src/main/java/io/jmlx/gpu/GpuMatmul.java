package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.backend.AttentionSpec;
import io.jmlx.backend.MatmulKernels;
import io.jmlx.backend.MatmulSpec;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * Dense matrix products on the GPU for float32, float16 and bfloat16: up to {@link #MATVEC_ROWS} rows of {@code a}
 * take {@code matvec.comp} (one invocation per output column), more the tiled {@code matmul.comp}, or for float32
 * operands in whole 16-byte quads {@code matmul_vec4.comp} (4x4 blocks read four floats at a time). Sums accumulate in
 * float32 and round once, as the CPU's do in their own order. Rows and columns are split over dispatches as the
 * device's limits need; {@code b} must fit one storage-buffer binding. float64 takes {@code wide}, the CPU's kernel
 * run in order with the stream's GPU work (Apple GPUs have no float64).
 */
final class GpuMatmul implements MatmulKernels {
    /** The most rows of a that matvec.comp takes (its ROWS). */
    static final int MATVEC_ROWS = 8;

    private static final int TILE = 32;

    private final Dispatcher d;
    private final MatmulKernels wide;

    GpuMatmul(Dispatcher dispatcher, MatmulKernels wide) {
        this.d = dispatcher;
        this.wide = wide;
    }

    /** Whether an operand starts on 16 bytes within its buffer (the binding then starts on a whole quad). */
    private static boolean quadAligned(Dispatcher.Operand o) {
        return o.location().offset() % 16 == 0;
    }

    /** On the CPU ({@code wide}), in order with the stream's GPU work: there is no attention shader yet. */
    @Override
    public void attention(
            AttentionSpec spec,
            MemorySegment q,
            MemorySegment k,
            MemorySegment v,
            MemorySegment mask,
            MemorySegment out) {
        wide.attention(spec, q, k, v, mask, out);
    }

    @Override
    public void matmul(MatmulSpec spec, MemorySegment a, MemorySegment b, MemorySegment out) {
        if (spec.dtype() == DType.FLOAT64) {
            wide.matmul(spec, a, b, out);
            return;
        }
        Dispatcher.checkFloat(spec.dtype(), "the operands");
        int es = spec.dtype().byteSize();
        int m = spec.m();
        int k = spec.k();
        int n = spec.n();
        Dispatcher.Operand inA = d.input("a", a, (long) m * k * es, es);
        Dispatcher.Operand inB = d.input("b", b, (long) k * n * es, es);
        Dispatcher.Operand output = d.output("out", out, (long) m * n * es);
        List<Consumer<CommandRecorder>> steps = Dispatcher.copiesIn(inA, inB);
        if ((long) k * n * es > d.usableRange()) {
            throw new IllegalArgumentException("the matmul's second operand (" + k + " x " + n + " " + spec.dtype()
                    + ", " + (long) k * n * es + " bytes) exceeds what one storage-buffer binding of "
                    + d.device().name() + " may cover (" + d.usableRange() + " bytes)");
        }
        boolean vector = m <= MATVEC_ROWS;
        boolean quads = !vector
                && spec.dtype() == DType.FLOAT32
                && n % 4 == 0
                && k % 4 == 0
                && quadAligned(inA)
                && quadAligned(inB)
                && quadAligned(output);
        GpuKernel kernel = vector ? GpuKernel.MATVEC : quads ? GpuKernel.MATMUL_VEC4 : GpuKernel.MATMUL;
        ComputePipeline pipeline = quads ? d.pipeline(kernel) : d.pipeline(kernel, Dispatcher.typeCode(spec.dtype()));
        long tileLimit = (long) d.maxGroups() * TILE;
        long rowLimit = quads ? 4 * (d.maxInvocations() / Math.max(1, n / 4)) : tileLimit;
        long mChunk = vector ? m : Math.min(rowLimit, d.chunkRows((long) k * es, (long) n * es));
        long nChunk = vector ? Math.min(n, d.maxInvocations()) : quads ? n : Math.min(n, tileLimit);
        for (long m0 = 0; m0 < m && k > 0; m0 += mChunk) {
            int mc = (int) Math.min(mChunk, m - m0);
            for (long n0 = 0; n0 < n; n0 += nChunk) {
                int nc = (int) Math.min(nChunk, n - n0);
                Dispatcher.Binding ba = d.bind(inA, m0 * k * es, (long) mc * k * es, es);
                Dispatcher.Binding bb = d.bind(inB, n0 * es, ((long) (k - 1) * n + nc) * es, es);
                Dispatcher.Binding bo = d.bind(output, (m0 * n + n0) * es, ((long) (mc - 1) * n + nc) * es, es);
                int[] push = {mc, nc, k, ba.baseIndex(), bb.baseIndex(), bo.baseIndex(), n, n};
                Dispatcher.Binding[] bindings = {ba, bb, bo};
                steps.add(
                        vector || quads
                                ? d.dispatchInvocations(
                                        pipeline, bindings, push, vector ? nc : nc / 4L * ((mc + 3) / 4))
                                : recorder -> Dispatcher.record(
                                        recorder,
                                        pipeline,
                                        bindings,
                                        push,
                                        (nc + TILE - 1) / TILE,
                                        (mc + TILE - 1) / TILE,
                                        1));
            }
        }
        if (k == 0 && (long) m * n > 0) {
            // An empty sum: zeros, as the CPU writes.
            output.data().asSlice(0, (long) m * n * es).fill((byte) 0);
        }
        d.submit(steps, null, List.of(inA, inB), output);
    }
}
