package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * jmlx's quantization kernels on the GPU, with the operations and arguments of the CPU's
 * {@link io.jmlx.kernels.KernelSet} (contiguous little-endian segments, plain dimensions); the GPU backend
 * ({@link GpuQuantization}) hands them the quantization family's calls. Quantize and dequantize give the CPU
 * kernels' bytes exactly; matmuls accumulate in float32 and round once, as the CPU's do (their summation order
 * differs).
 *
 * <p>Each operation has an {@code ...Async} form that records the work on the {@link GpuQueue} and returns a
 * future completed when it has executed (call {@link GpuQueue#flush()} to submit), and a blocking form. Operands
 * are handled as {@link Dispatcher} says.
 * Operations split themselves into several dispatches where an operand is larger than the device's
 * storage-buffer range or a dispatch would exceed its work-group limits.
 */
public final class GpuKernels {
    private final Dispatcher d;
    private final Map<DType, MemorySegment> mxTables = new ConcurrentHashMap<>();

    GpuKernels(Dispatcher dispatcher) {
        this.d = dispatcher;
    }

    /** The queue these kernels record their work on. */
    public GpuQueue queue() {
        return d.queue();
    }

    /** A short name for messages and benchmarks, e.g. {@code vulkan llvmpipe (LLVM 15.0.6, 256 bits)}. */
    public String name() {
        return "vulkan " + d.device().name();
    }

    // ---------------------------------------------------------------- affine

    /** Blocking {@link #affineQuantizeAsync}. */
    public void affineQuantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases) {
        d.await(affineQuantizeAsync(w, dtype, rows, cols, groupSize, bits, packed, scales, biases));
    }

    /**
     * MLX's affine quantize of {@code rows × cols} elements of {@code w} (float32, float16 or bfloat16): packed
     * codes, and scales and biases of {@code w}'s type, the CPU's bytes exactly. A NaN or infinity in {@code w}
     * fails the future with the CPU kernel's {@link IllegalArgumentException}.
     */
    public CompletableFuture<Void> affineQuantizeAsync(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases) {
        Dispatcher.checkFloat(dtype, "w");
        checkAffine(cols, groupSize, bits);
        int es = dtype.byteSize();
        long groupsPerRow = cols / groupSize;
        long wordsPerRow = (long) cols * bits / 32;
        Dispatcher.Operand in = d.input("w", w, rows * cols * es, es);
        Dispatcher.Operand outPacked = d.output("packed", packed, rows * wordsPerRow * 4);
        Dispatcher.Operand outScales = d.output("scales", scales, rows * groupsPerRow * es);
        Dispatcher.Operand outBiases = d.output("biases", biases, rows * groupsPerRow * es);
        long chunk = Math.min(
                d.chunkRows(cols * (long) es, wordsPerRow * 4, groupsPerRow * es),
                Math.min(d.maxInvocations() / groupsPerRow, 0xFFFF_FFFEL / cols));
        int chunks = Math.toIntExact((rows + chunk - 1) / chunk);
        MemorySegment status =
                d.memory().allocateUninitialized(4L * Math.max(chunks, 1)).fill((byte) 0xFF);
        Dispatcher.Operand statusOperand = d.input("status", status, status.byteSize(), 4);
        ComputePipeline pipeline = d.pipeline(GpuKernel.AFFINE_QUANTIZE, Dispatcher.typeCode(dtype), bits, groupSize);
        List<Consumer<CommandRecorder>> dispatches = Dispatcher.copiesIn(in);
        for (int c = 0; c < chunks; c++) {
            long r0 = c * chunk;
            long nr = Math.min(chunk, rows - r0);
            Dispatcher.Binding bw = d.bind(in, r0 * cols * es, nr * cols * es, es);
            Dispatcher.Binding bp = d.bind(outPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Dispatcher.Binding bs = d.bind(outScales, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Dispatcher.Binding bb = d.bind(outBiases, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Dispatcher.Binding st = d.bind(statusOperand, 0, status.byteSize(), 4);
            long groups = nr * groupsPerRow;
            dispatches.add(d.dispatch(
                    pipeline,
                    new Dispatcher.Binding[] {bw, bp, bs, bb, st},
                    new int[] {(int) groups, bw.baseIndex(), bp.baseIndex(), bs.baseIndex(), bb.baseIndex(), c},
                    (groups + Dispatcher.INVOCATIONS - 1) / Dispatcher.INVOCATIONS,
                    1));
        }
        return d.submit(
                dispatches,
                () -> {
                    for (int c = 0; c < chunks; c++) {
                        int first = status.getAtIndex(ValueLayout.JAVA_INT, c);
                        if (first != -1) {
                            long index = c * chunk * cols + Integer.toUnsignedLong(first);
                            throw new IllegalArgumentException("w has the non-finite value "
                                    + Elements.getFloat(w, dtype, index) + " at row " + index / cols + ", column "
                                    + index % cols
                                    + "; MLX's result for NaN and Inf is unspecified, so jmlx refuses to "
                                    + "quantize it");
                        }
                    }
                },
                List.of(in, statusOperand),
                outPacked,
                outScales,
                outBiases);
    }

    /** Blocking {@link #affineDequantizeAsync}. */
    public void affineDequantize(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment out) {
        d.await(affineDequantizeAsync(packed, scales, biases, dtype, rows, cols, groupSize, bits, out));
    }

    /**
     * Decodes {@code rows × cols} elements: {@code out = T(T(scale · code) + bias)} in {@code dtype} (the type of
     * scales, biases and out), the CPU's bytes exactly.
     */
    public CompletableFuture<Void> affineDequantizeAsync(
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            long rows,
            int cols,
            int groupSize,
            int bits,
            MemorySegment out) {
        Dispatcher.checkFloat(dtype, "scales");
        checkAffine(cols, groupSize, bits);
        int es = dtype.byteSize();
        long groupsPerRow = cols / groupSize;
        long wordsPerRow = (long) cols * bits / 32;
        Dispatcher.Operand inPacked = d.input("packed", packed, rows * wordsPerRow * 4, 4);
        Dispatcher.Operand inScales = d.input("scales", scales, rows * groupsPerRow * es, es);
        Dispatcher.Operand inBiases = d.input("biases", biases, rows * groupsPerRow * es, es);
        Dispatcher.Operand outValues = d.output("out", out, rows * cols * es);
        long chunk = Math.min(
                d.chunkRows(wordsPerRow * 4, groupsPerRow * es, cols * (long) es), d.maxInvocations() * 32 / cols);
        ComputePipeline pipeline = d.pipeline(GpuKernel.AFFINE_DEQUANTIZE, Dispatcher.typeCode(dtype), bits, groupSize);
        List<Consumer<CommandRecorder>> dispatches = Dispatcher.copiesIn(inPacked, inScales, inBiases);
        for (long r0 = 0; r0 < rows; r0 += chunk) {
            long nr = Math.min(chunk, rows - r0);
            Dispatcher.Binding bp = d.bind(inPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Dispatcher.Binding bs = d.bind(inScales, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Dispatcher.Binding bb = d.bind(inBiases, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Dispatcher.Binding bo = d.bind(outValues, r0 * cols * es, nr * cols * es, es);
            long blocks = nr * cols / 32;
            dispatches.add(d.dispatch(
                    pipeline,
                    new Dispatcher.Binding[] {bp, bs, bb, bo},
                    new int[] {(int) blocks, bp.baseIndex(), bs.baseIndex(), bb.baseIndex(), bo.baseIndex()},
                    (blocks + Dispatcher.INVOCATIONS - 1) / Dispatcher.INVOCATIONS,
                    1));
        }
        return d.submit(dispatches, null, List.of(inPacked, inScales, inBiases), outValues);
    }

    /** Blocking {@link #affineMatmulAsync}, one matrix: the CPU kernel's signature. */
    public void affineMatmul(
            MemorySegment x,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int m,
            int k,
            int n,
            boolean transpose,
            int groupSize,
            int bits,
            MemorySegment out) {
        d.await(affineMatmulAsync(x, packed, scales, biases, dtype, 1, m, k, n, transpose, true, groupSize, bits, out));
    }

    /**
     * {@code out[b] = x[b] · Ŵ[b]} for {@code batches} stacked problems ({@code x} is {@code [batches, m, k]},
     * {@code out} {@code [batches, m, n]}): with {@code transpose} W is stored {@code [n, k]} and the product is
     * {@code x · Ŵᵀ}, else W is stored {@code [k, n]}. With {@code sharedWeight} every batch uses the one weight,
     * else W, scales and biases are stacked too. x, scales, biases and out are of {@code dtype}; weights decode as
     * {@code T(T(s·q) + b)}, sums accumulate in float32 and are rounded to {@code dtype} once. Up to 8 rows take
     * the matrix-vector kernels (one subgroup reduction per output), more the tiled kernel.
     */
    public CompletableFuture<Void> affineMatmulAsync(
            MemorySegment x,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int batches,
            int m,
            int k,
            int n,
            boolean transpose,
            boolean sharedWeight,
            int groupSize,
            int bits,
            MemorySegment out) {
        Dispatcher.checkFloat(dtype, "x");
        checkAffine(transpose ? k : n, groupSize, bits);
        return matmul(
                MatmulMode.AFFINE,
                x,
                packed,
                scales,
                biases,
                dtype,
                batches,
                m,
                k,
                n,
                transpose,
                sharedWeight,
                groupSize,
                bits,
                1f,
                out);
    }

    // ---------------------------------------------------------------- microscaled

    /** Blocking {@link #fpQuantizeAsync}. */
    public void fpQuantize(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            MemorySegment packed,
            MemorySegment scales) {
        d.await(fpQuantizeAsync(w, dtype, rows, cols, format, globalScale, packed, scales));
    }

    /**
     * Quantizes {@code rows × cols} elements of {@code w} in a microscaling format as jmlx's CPU kernels (MLX's
     * CPU backend) do: packed element codes and one uint8 scale per group, the CPU's bytes exactly.
     *
     * @param globalScale nvfp4's optional global scale, {@code null} for none
     */
    public CompletableFuture<Void> fpQuantizeAsync(
            MemorySegment w,
            DType dtype,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            MemorySegment packed,
            MemorySegment scales) {
        Dispatcher.checkFloat(dtype, "w");
        checkFp(cols, format, globalScale);
        int es = dtype.byteSize();
        int g = format.groupSize();
        long groupsPerRow = cols / g;
        long wordsPerRow = (long) cols * format.bits() / 32;
        Dispatcher.Operand in = d.input("w", w, rows * cols * es, es);
        Dispatcher.Operand outPacked = d.output("packed", packed, rows * wordsPerRow * 4);
        Dispatcher.Operand outScales = d.output("scales", scales, rows * groupsPerRow);
        Dispatcher.Operand table = d.input("exponent table", mxTable(dtype), 4L * MxExponentTable.ENTRIES, 4);
        float enc = globalScale == null ? 1f : 448f * 6f / globalScale;
        long chunk = Math.min(
                d.chunkRows(cols * (long) es, wordsPerRow * 4, groupsPerRow), d.maxInvocations() / groupsPerRow);
        ComputePipeline pipeline = d.pipeline(GpuKernel.FP_QUANTIZE, Dispatcher.typeCode(dtype), formatCode(format));
        List<Consumer<CommandRecorder>> dispatches = Dispatcher.copiesIn(in);
        for (long r0 = 0; r0 < rows; r0 += chunk) {
            long nr = Math.min(chunk, rows - r0);
            Dispatcher.Binding bw = d.bind(in, r0 * cols * es, nr * cols * es, es);
            Dispatcher.Binding bp = d.bind(outPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Dispatcher.Binding bs = d.bind(outScales, r0 * groupsPerRow, nr * groupsPerRow, 1);
            Dispatcher.Binding bt = d.bind(table, 0, 4L * MxExponentTable.ENTRIES, 4);
            long groups = nr * groupsPerRow;
            dispatches.add(d.dispatch(
                    pipeline,
                    new Dispatcher.Binding[] {bw, bp, bs, bt},
                    new int[] {
                        (int) groups, bw.baseIndex(), bp.baseIndex(), bs.baseIndex(), Float.floatToRawIntBits(enc)
                    },
                    (groups + Dispatcher.INVOCATIONS - 1) / Dispatcher.INVOCATIONS,
                    1));
        }
        return d.submit(dispatches, null, List.of(in, table), outPacked, outScales);
    }

    /** Blocking {@link #fpDequantizeAsync}. */
    public void fpDequantize(
            MemorySegment packed,
            MemorySegment scales,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            DType outType,
            MemorySegment out) {
        d.await(fpDequantizeAsync(packed, scales, rows, cols, format, globalScale, outType, out));
    }

    /**
     * Decodes {@code rows × cols} microscaled elements into {@code out} of {@code outType}: {@code element · scale}
     * computed in {@code outType}, or in float32 with a global scale (then rounded), the CPU's bytes exactly.
     */
    public CompletableFuture<Void> fpDequantizeAsync(
            MemorySegment packed,
            MemorySegment scales,
            long rows,
            int cols,
            FpFormat format,
            Float globalScale,
            DType outType,
            MemorySegment out) {
        Dispatcher.checkFloat(outType, "out");
        checkFp(cols, format, globalScale);
        int es = outType.byteSize();
        long groupsPerRow = cols / format.groupSize();
        long wordsPerRow = (long) cols * format.bits() / 32;
        Dispatcher.Operand inPacked = d.input("packed", packed, rows * wordsPerRow * 4, 4);
        Dispatcher.Operand inScales = d.input("scales", scales, rows * groupsPerRow, 1);
        Dispatcher.Operand outValues = d.output("out", out, rows * cols * es);
        float factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        long chunk =
                Math.min(d.chunkRows(wordsPerRow * 4, groupsPerRow, cols * (long) es), d.maxInvocations() * 32 / cols);
        ComputePipeline pipeline = d.pipeline(
                GpuKernel.FP_DEQUANTIZE, Dispatcher.typeCode(outType), formatCode(format), globalScale == null ? 0 : 1);
        List<Consumer<CommandRecorder>> dispatches = Dispatcher.copiesIn(inPacked, inScales);
        for (long r0 = 0; r0 < rows; r0 += chunk) {
            long nr = Math.min(chunk, rows - r0);
            Dispatcher.Binding bp = d.bind(inPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Dispatcher.Binding bs = d.bind(inScales, r0 * groupsPerRow, nr * groupsPerRow, 1);
            Dispatcher.Binding bo = d.bind(outValues, r0 * cols * es, nr * cols * es, es);
            long count = nr * cols;
            long blocks = (count + 31) / 32;
            dispatches.add(d.dispatch(
                    pipeline,
                    new Dispatcher.Binding[] {bp, bs, bo},
                    new int[] {
                        (int) blocks,
                        (int) count,
                        bp.baseIndex(),
                        bs.baseIndex(),
                        bo.baseIndex(),
                        Float.floatToRawIntBits(factor)
                    },
                    (blocks + Dispatcher.INVOCATIONS - 1) / Dispatcher.INVOCATIONS,
                    1));
        }
        return d.submit(dispatches, null, List.of(inPacked, inScales), outValues);
    }

    /** Blocking {@link #fpMatmulAsync}, one matrix: the CPU kernel's signature. */
    public void fpMatmul(
            MemorySegment x,
            MemorySegment packed,
            MemorySegment scales,
            DType dtype,
            int m,
            int k,
            int n,
            boolean transpose,
            FpFormat format,
            Float globalScale,
            MemorySegment out) {
        d.await(fpMatmulAsync(x, packed, scales, dtype, 1, m, k, n, transpose, true, format, globalScale, out));
    }

    /**
     * {@link #affineMatmulAsync} for a microscaled weight: decoded weights are {@code element · scale} (times the
     * global factor when given), exact in float32.
     */
    public CompletableFuture<Void> fpMatmulAsync(
            MemorySegment x,
            MemorySegment packed,
            MemorySegment scales,
            DType dtype,
            int batches,
            int m,
            int k,
            int n,
            boolean transpose,
            boolean sharedWeight,
            FpFormat format,
            Float globalScale,
            MemorySegment out) {
        Dispatcher.checkFloat(dtype, "x");
        checkFp(transpose ? k : n, format, globalScale);
        MatmulMode mode = switch (format) {
            case MXFP4 -> MatmulMode.MXFP4;
            case MXFP8 -> MatmulMode.MXFP8;
            case NVFP4 -> MatmulMode.NVFP4;
        };
        float factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        return matmul(
                mode,
                x,
                packed,
                scales,
                null,
                dtype,
                batches,
                m,
                k,
                n,
                transpose,
                sharedWeight,
                format.groupSize(),
                format.bits(),
                factor,
                out);
    }

    // ---------------------------------------------------------------- matmul plumbing

    /** The weight encodings of the matmul kernels ({@code MODE} in qmatmul.glsl). */
    private enum MatmulMode {
        AFFINE,
        MXFP4,
        MXFP8,
        NVFP4
    }

    private CompletableFuture<Void> matmul(
            MatmulMode mode,
            MemorySegment x,
            MemorySegment packed,
            MemorySegment scales,
            MemorySegment biases,
            DType dtype,
            int batches,
            int m,
            int k,
            int n,
            boolean transpose,
            boolean sharedWeight,
            int groupSize,
            int bits,
            float factor,
            MemorySegment out) {
        if (batches < 1 || m < 0 || k < 1 || n < 1) {
            throw new IllegalArgumentException("matmul needs batches >= 1, m >= 0, k >= 1 and n >= 1; got batches "
                    + batches + ", m " + m + ", k " + k + ", n " + n);
        }
        int es = dtype.byteSize();
        int ses = mode == MatmulMode.AFFINE ? es : 1;
        long rows = transpose ? n : k;
        long cols = transpose ? k : n;
        long wordsPerRow = cols * bits / 32;
        long groupsPerRow = cols / groupSize;
        long wBatches = sharedWeight ? 1 : batches;
        Dispatcher.Operand inX = d.input("x", x, (long) batches * m * k * es, es);
        Dispatcher.Operand inPacked = d.input("packed", packed, wBatches * rows * wordsPerRow * 4, 4);
        Dispatcher.Operand inScales = d.input("scales", scales, wBatches * rows * groupsPerRow * ses, ses);
        Dispatcher.Operand inBiases =
                biases == null ? inScales : d.input("biases", biases, wBatches * rows * groupsPerRow * ses, ses);
        Dispatcher.Operand outValues = d.output("out", out, (long) batches * m * n * es);
        if (m == 0) {
            return CompletableFuture.completedFuture(null);
        }
        GpuKernel kernel = m <= 8 ? (transpose ? GpuKernel.QMV : GpuKernel.QVM) : GpuKernel.QMM;
        ComputePipeline pipeline = kernel == GpuKernel.QMM
                ? d.pipeline(kernel, Dispatcher.typeCode(dtype), mode.ordinal())
                : d.pipeline(kernel, Dispatcher.typeCode(dtype), mode.ordinal(), bits);
        MatmulShape shape = new MatmulShape(
                kernel,
                m,
                k,
                n,
                rows,
                wordsPerRow,
                groupsPerRow,
                factor,
                bits,
                Integer.numberOfTrailingZeros(groupSize),
                transpose);

        List<Consumer<CommandRecorder>> dispatches = Dispatcher.copiesIn(inX, inPacked, inScales, inBiases);
        long xBytes = (long) batches * m * k * es;
        long wBytes = wBatches * rows * wordsPerRow * 4;
        long sBytes = wBatches * rows * groupsPerRow * ses;
        long outBytes = (long) batches * m * n * es;
        long tileLimit = (long) d.maxGroups() * 32;
        long depth = kernel == GpuKernel.QMM ? batches : (long) batches * m; // work group z
        if (Math.max(Math.max(xBytes, wBytes), Math.max(sBytes, outBytes)) <= d.usableRange()
                && depth <= d.maxGroups()
                && (kernel != GpuKernel.QMM || (m <= tileLimit && n <= tileLimit))) {
            long perBatchRows = sharedWeight ? 0 : rows;
            dispatches.add(shape.dispatch(
                    d,
                    pipeline,
                    d.bind(inX, 0, xBytes, es),
                    d.bind(inPacked, 0, wBytes, 4),
                    d.bind(inScales, 0, sBytes, ses),
                    d.bind(inBiases, 0, sBytes, ses),
                    d.bind(outValues, 0, outBytes, es),
                    m,
                    n,
                    batches,
                    (long) m * k,
                    perBatchRows * wordsPerRow,
                    perBatchRows * groupsPerRow,
                    (long) m * n));
        } else {
            long mChunk = Math.min(
                    Math.min(m, tileLimit),
                    Math.min(d.usableRange() / ((long) k * es), d.usableRange() / ((long) n * es)));
            long nChunk = transpose
                    ? Math.min(
                            Math.min(n, tileLimit),
                            Math.min(
                                    d.usableRange() / (wordsPerRow * 4),
                                    d.usableRange() / Math.max(1, groupsPerRow * ses)))
                    : n;
            if (mChunk < 1
                    || nChunk < 1
                    || (!transpose && Math.max(rows * wordsPerRow * 4, rows * groupsPerRow * ses) > d.usableRange())
                    || (!transpose && kernel == GpuKernel.QMM && n > tileLimit)) {
                throw new IllegalArgumentException("this matmul's operands exceed what one storage buffer of "
                        + d.device().name() + " may cover (" + d.device().maxStorageBufferRange()
                        + " bytes) even when split; "
                        + "without transpose the whole weight of one batch must fit");
            }
            for (int b = 0; b < batches; b++) {
                long wb = sharedWeight ? 0 : b;
                for (long m0 = 0; m0 < m; m0 += mChunk) {
                    int mc = (int) Math.min(mChunk, m - m0);
                    for (long n0 = 0; n0 < n; n0 += nChunk) {
                        int nc = (int) Math.min(nChunk, n - n0);
                        long wRow0 = wb * rows + (transpose ? n0 : 0);
                        long wRows = transpose ? nc : rows;
                        Dispatcher.Binding bx = d.bind(inX, ((long) b * m + m0) * k * es, (long) mc * k * es, es);
                        Dispatcher.Binding bw = d.bind(inPacked, wRow0 * wordsPerRow * 4, wRows * wordsPerRow * 4, 4);
                        Dispatcher.Binding bs =
                                d.bind(inScales, wRow0 * groupsPerRow * ses, wRows * groupsPerRow * ses, ses);
                        Dispatcher.Binding bb =
                                d.bind(inBiases, wRow0 * groupsPerRow * ses, wRows * groupsPerRow * ses, ses);
                        Dispatcher.Binding bo = d.bind(
                                outValues, (((long) b * m + m0) * n + n0) * es, ((long) (mc - 1) * n + nc) * es, es);
                        dispatches.add(shape.dispatch(d, pipeline, bx, bw, bs, bb, bo, mc, nc, 1, 0, 0, 0, 0));
                    }
                }
            }
        }
        return d.submit(dispatches, null, List.of(inX, inPacked, inScales, inBiases), outValues);
    }

    /** The fixed part of a matmul's dispatches. */
    private record MatmulShape(
            GpuKernel kernel,
            int m,
            int k,
            int n,
            long rows,
            long wordsPerRow,
            long groupsPerRow,
            float factor,
            int bits,
            int groupShift,
            boolean transpose) {
        Consumer<CommandRecorder> dispatch(
                Dispatcher kernels,
                ComputePipeline pipeline,
                Dispatcher.Binding bx,
                Dispatcher.Binding bw,
                Dispatcher.Binding bs,
                Dispatcher.Binding bb,
                Dispatcher.Binding bo,
                int mc,
                int nc,
                int batches,
                long xBatch,
                long wBatch,
                long sBatch,
                long outBatch) {
            int[] push = {
                mc,
                nc,
                k,
                n,
                bx.baseIndex(),
                bw.baseIndex(),
                bs.baseIndex(),
                bb.baseIndex(),
                bo.baseIndex(),
                (int) xBatch,
                (int) wBatch,
                (int) sBatch,
                (int) outBatch,
                (int) wordsPerRow,
                (int) groupsPerRow,
                Float.floatToRawIntBits(factor),
                bits,
                groupShift,
                transpose ? 1 : 0
            };
            Dispatcher.Binding[] bindings = {bx, bw, bs, bb, bo};
            return switch (kernel) {
                case QMV -> kernels.dispatch(pipeline, bindings, push, (nc + 7) / 8, batches * mc);
                case QVM -> kernels.dispatch(pipeline, bindings, push, (nc + 63) / 64, batches * mc);
                default ->
                    recorder -> Dispatcher.record(
                            recorder, pipeline, bindings, push, (nc + 31) / 32, (mc + 31) / 32, batches);
            };
        }
    }

    private MemorySegment mxTable(DType dtype) {
        return mxTables.computeIfAbsent(dtype, t -> {
            MemorySegment table = d.memory().allocateUninitialized(4L * MxExponentTable.ENTRIES);
            MemorySegment.copy(MxExponentTable.build(t), 0, table, ValueLayout.JAVA_INT, 0, MxExponentTable.ENTRIES);
            return table;
        });
    }

    // ---------------------------------------------------------------- checks

    private static int formatCode(FpFormat f) {
        return switch (f) {
            case MXFP4 -> 0;
            case MXFP8 -> 1;
            case NVFP4 -> 2;
        };
    }

    private static void checkAffine(long cols, int groupSize, int bits) {
        if (groupSize != 32 && groupSize != 64 && groupSize != 128) {
            throw new IllegalArgumentException("group size must be 32, 64 or 128 but is " + groupSize);
        }
        if (bits < 2 || bits > 8 || bits == 7) {
            throw new IllegalArgumentException("bits must be 2, 3, 4, 5, 6 or 8 but is " + bits);
        }
        if (cols % groupSize != 0) {
            throw new IllegalArgumentException(
                    "the quantized dimension " + cols + " is not a multiple of the group size " + groupSize);
        }
    }

    private static void checkFp(long cols, FpFormat format, Float globalScale) {
        if (cols % format.groupSize() != 0) {
            throw new IllegalArgumentException("the quantized dimension " + cols + " is not a multiple of "
                    + format.groupSize() + ", the group size of " + format);
        }
        if (globalScale != null && format != FpFormat.NVFP4) {
            throw new IllegalArgumentException("a global scale is only supported for nvfp4, not " + format);
        }
    }
}
