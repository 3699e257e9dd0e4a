package io.jmlx.kernels.vector;

import static io.jmlx.kernels.vector.LaneShapes.F;
import static io.jmlx.kernels.vector.LaneShapes.I;
import static io.jmlx.kernels.vector.LaneShapes.LANES;

import io.jmlx.kernels.KernelThreads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * {@code y[m × n] = x[m × k] · Ŵᵀ} for a few rows of x (the matrix-vector products of decoding), straight from the
 * packed codes of W ({@code [n, k]}): every affine width and the microscaled elements ({@link CodeFormat}).
 *
 * <p>x is copied once per product into the plane order of the format, chunk after chunk, each plane scaled by the
 * power of two that undoes where its codes sit in a lane, so that a chunk's planes are decoded with a mask (or a few
 * lane operations for the elements) and multiplied straight into x's planes ({@link PlaneKernels}). The algebra
 * {@code Σ x·(s·q + b) = Σ_g s_g·(Σ x·q) + Σ_g b_g·(Σ x)} applies each scale once per chunk and the biases once per
 * output, against group sums of x computed once. Two rows of x share each decoded 4-bit chunk; other formats decode
 * per row of x (the multiplications, not the decoding, dominate there).
 *
 * <p>Each output is one running vector over k in chunk order plus the bias terms, added in a fixed order: the result
 * depends on the shapes only. Tasks of the kernel threads take {@link #ROWS_PER_TASK} rows of W each.
 */
final class PackedRowMatmul {
    private static final int ROWS_PER_TASK = 16;

    private PackedRowMatmul() {}

    /** Lane spreads of 2, 4, … scales over a chunk's lanes: lane {@code l} takes scale {@code l·p / LANES}. */
    private static final VectorShuffle<Float>[] SPREADS = spreads();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] spreads() {
        VectorShuffle<Float>[] spreads = new VectorShuffle[LANES + 1];
        for (int p = 2; p <= LANES; p *= 2) {
            int[] lanes = new int[LANES];
            for (int l = 0; l < LANES; l++) {
                lanes[l] = l * p / LANES;
            }
            spreads[p] = VectorShuffle.fromArray(F, lanes, 0);
        }
        return spreads;
    }

    /** A thread's buffers, reused from product to product. */
    private static final class Workspace {
        float[] planes = new float[0];
        float[] sums = new float[0];
        float[] scales = new float[0];
        float[] biases = new float[0];
        float[] totals = new float[0];
        MemorySegment paddedRow = MemorySegment.NULL;
    }

    /** {@code a} when it holds {@code length} floats, else a new array that does: a thread's buffer, grown. */
    static float[] fit(float[] a, int length) {
        return a.length >= length ? a : new float[length];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** True when rows of {@code k} codes of {@code format} in groups of {@code groupSize} fill whole chunks. */
    static boolean supports(CodeFormat format, int k, int groupSize) {
        if (format == null || !LaneShapes.USABLE || I.length() != LANES) {
            return false;
        }
        int chunk = format.chunkCodes;
        return k % chunk == 0 && k % groupSize == 0 && (chunk % groupSize == 0 || groupSize % chunk == 0);
    }

    /**
     * {@code y[m × n] = x[m × k] · Ŵᵀ} (row-major float arrays), Ŵ from {@code packed} ({@code [n, k]} codes of
     * {@code format}) and {@code scales}; {@link #supports} must hold.
     */
    static void transposed(
            float[] x, int m, int k, int n, MemorySegment packed, CodeFormat format, RowScales scales, float[] y) {
        int groups = scales.groups();
        int groupSize = scales.groupSize();
        Workspace caller = WORKSPACE.get();
        float[] planes = caller.planes = fit(caller.planes, m * k);
        float[] sums = caller.sums = fit(caller.sums, m * groups);
        prepare(x, m, k, format, planes);
        if (scales.biased()) {
            groupSums(x, m * groups, groupSize, sums);
        }
        int chunks = k / format.chunkCodes;
        int perChunk = format.chunkCodes > groupSize ? format.chunkCodes / groupSize : 0;
        int groupShift = perChunk == 0 ? Integer.numberOfTrailingZeros(groupSize / format.chunkCodes) : 0;
        VectorShuffle<Float> spread = SPREADS[perChunk];
        long rowBytes = (long) k * format.bits / 8;
        // The last chunk's load reads a whole vector of words, past the end of a split-unit row.
        long overRead = (long) LANES * Integer.BYTES - format.chunkBytes;
        int tasks = (n + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        boolean fourBitVector = m == 1 && format.kind == CodeFormat.Kind.AFFINE && format.bits == 4;
        KernelThreads.forEach(tasks, task -> {
            int jFrom = task * ROWS_PER_TASK;
            int rows = Math.min(n, jFrom + ROWS_PER_TASK) - jFrom;
            Workspace ws = WORKSPACE.get();
            float[] rowScales = ws.scales = fit(ws.scales, rows * groups + LANES);
            float[] rowBiases = ws.biases = fit(ws.biases, rows * groups);
            float[] totals = ws.totals = fit(ws.totals, rows * m * LANES);
            scales.read(jFrom, rows, rowScales, rowBiases);
            if (fourBitVector) {
                // A matrix-vector product of 4-bit codes: every row of the task in one call.
                PlaneKernels.fourBits(
                        packed,
                        jFrom * rowBytes,
                        rows,
                        chunks,
                        planes,
                        0,
                        rowScales,
                        0,
                        groups,
                        groupShift,
                        perChunk,
                        spread,
                        totals,
                        0);
            }
            for (int r = 0; r < (fourBitVector ? 0 : rows); r++) {
                MemorySegment src = packed;
                long at = (jFrom + r) * rowBytes;
                if (overRead > 0 && at + rowBytes + overRead > packed.byteSize()) {
                    src = paddedRow(ws, packed, at, rowBytes, overRead);
                    at = 0;
                }
                int so = r * groups;
                int t = r * m * LANES;
                int i = 0;
                if (format.kind == CodeFormat.Kind.AFFINE && format.bits == 4) {
                    for (; i + 1 < m; i += 2, t += 2 * LANES) {
                        PlaneKernels.fourBitsTwoRows(
                                src,
                                at,
                                chunks,
                                planes,
                                i * k,
                                (i + 1) * k,
                                rowScales,
                                so,
                                groupShift,
                                perChunk,
                                spread,
                                totals,
                                t);
                    }
                }
                for (; i < m; i++, t += LANES) {
                    row(format, src, at, chunks, planes, i * k, rowScales, so, groupShift, perChunk, spread, totals, t);
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < m; i++) {
                    y[i * n + jFrom + r] = finish(
                            totals,
                            (r * m + i) * LANES,
                            scales.biased() ? rowBiases : null,
                            r * groups,
                            sums,
                            i * groups,
                            groups);
                }
            }
        });
    }

    /** One row of W times row {@code xo / k} of x's planes, into {@code totals[t]}. */
    private static void row(
            CodeFormat f,
            MemorySegment packed,
            long at,
            int chunks,
            float[] planes,
            int xo,
            float[] scales,
            int so,
            int groupShift,
            int perChunk,
            VectorShuffle<Float> spread,
            float[] totals,
            int t) {
        switch (f.kind) {
            case E2M1 ->
                PlaneKernels.e2m1(packed, at, chunks, planes, xo, scales, so, groupShift, perChunk, spread, totals, t);
            case E4M3 ->
                PlaneKernels.e4m3(packed, at, chunks, planes, xo, scales, so, groupShift, perChunk, spread, totals, t);
            case AFFINE -> {
                switch (f.unit) {
                    case 16 ->
                        PlaneKernels.twoBits(
                                packed, at, chunks, planes, xo, scales, so, groupShift, perChunk, spread, totals, t);
                    case 8 -> {
                        if (f.bits == 4) {
                            PlaneKernels.fourBits(
                                    packed,
                                    at,
                                    1,
                                    chunks,
                                    planes,
                                    xo,
                                    scales,
                                    so,
                                    0,
                                    groupShift,
                                    perChunk,
                                    spread,
                                    totals,
                                    t);
                        } else {
                            PlaneKernels.eightPlanes(
                                    f,
                                    packed,
                                    at,
                                    chunks,
                                    planes,
                                    xo,
                                    scales,
                                    so,
                                    groupShift,
                                    perChunk,
                                    spread,
                                    totals,
                                    t);
                        }
                    }
                    default ->
                        PlaneKernels.fourPlanes(
                                f, packed, at, chunks, planes, xo, scales, so, groupShift, perChunk, spread, totals, t);
                }
            }
        }
    }

    /**
     * The output from its running vector at {@code totals[t]}: plus the bias terms {@code Σ_g b_g·S_g} (vectors of
     * groups, then a scalar tail), the lanes added first to last.
     */
    static float finish(float[] totals, int t, float[] biases, int bo, float[] sums, int so, int groups) {
        int g = 0;
        if (biases != null) {
            FloatVector acc = FloatVector.fromArray(F, totals, t);
            for (int bound = F.loopBound(groups); g < bound; g += LANES) {
                acc = FloatVector.fromArray(F, biases, bo + g).fma(FloatVector.fromArray(F, sums, so + g), acc);
            }
            acc.intoArray(totals, t);
        }
        float sum = 0f;
        for (int l = 0; l < LANES; l++) {
            sum += totals[t + l];
        }
        if (biases != null) {
            for (; g < groups; g++) {
                sum = Math.fma(biases[bo + g], sums[so + g], sum);
            }
        }
        return sum;
    }

    /** x in chunk-plane order: plane {@code p}, lane {@code l} of a chunk is code {@code l·unit + p}, times its factor. */
    private static void prepare(float[] x, int m, int k, CodeFormat f, float[] planes) {
        int unit = f.unit;
        int chunk = f.chunkCodes;
        for (int p = 0; p < unit; p++) {
            float factor = f.factor(p);
            for (int i = 0; i < m; i++) {
                for (int c = i * k; c < (i + 1) * k; c += chunk) {
                    for (int l = 0; l < LANES; l++) {
                        planes[c + p * LANES + l] = x[c + l * unit + p] * factor;
                    }
                }
            }
        }
    }

    /** The sums of x over each group ({@code count} groups of {@code groupSize}, row after row). */
    static void groupSums(float[] x, int count, int groupSize, float[] sums) {
        for (int g = 0; g < count; g++) {
            float s = 0f;
            for (int kk = g * groupSize; kk < (g + 1) * groupSize; kk++) {
                s += x[kk];
            }
            sums[g] = s;
        }
    }

    /** The row at byte {@code at} copied into the thread's padded buffer, so that its last load stays in bounds. */
    private static MemorySegment paddedRow(Workspace ws, MemorySegment packed, long at, long rowBytes, long overRead) {
        if (ws.paddedRow.byteSize() < rowBytes + overRead) {
            // An automatic arena, like the matrices': a second kind of session would slow the kernels' accesses.
            ws.paddedRow = Arena.ofAuto().allocate(rowBytes + overRead, 64);
        }
        MemorySegment.copy(packed, at, ws.paddedRow, 0, rowBytes);
        return ws.paddedRow;
    }
}
