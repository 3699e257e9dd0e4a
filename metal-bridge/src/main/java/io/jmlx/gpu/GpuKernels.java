package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.gpu.vulkan.CommandRecorder;
import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.gpu.vulkan.PhysicalDevice;
import io.jmlx.kernels.Elements;
import io.jmlx.kernels.FpFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * jmlx's quantization kernels on the GPU, with the operations and arguments of the CPU's
 * {@link io.jmlx.kernels.KernelSet} (contiguous little-endian segments, plain dimensions); the GPU backend
 * ({@link io.jmlx.gpu.backend.VulkanBackend}) hands them the quantization family's calls. Quantize and dequantize give the CPU kernels' bytes exactly; matmuls accumulate in
 * float32 and round once, as the CPU's do (their summation order differs).
 *
 * <p>Each operation has an {@code ...Async} form that records the work on the {@link GpuQueue} and returns a
 * future completed when it has executed (call {@link GpuQueue#flush()} to submit), and a blocking form. Segments
 * allocated by {@link GpuMemory} are used in place; others are copied in (inputs) or out (outputs) around the work.
 * Operations split themselves into several dispatches where an operand is larger than the device's
 * storage-buffer range or a dispatch would exceed its work-group limits.
 */
public final class GpuKernels {
    private static final int INVOCATIONS = 64;
    /** Work groups per dispatch dimension that every Vulkan device supports. */
    static final int MAX_GROUPS = 65535;

    private final GpuMemory memory;
    private final GpuQueue queue;
    private final Pipelines pipelines;
    private final PhysicalDevice device;
    private final long alignment;
    private final long usableRange;
    private final int maxGroups;
    private final Map<DType, MemorySegment> mxTables = new ConcurrentHashMap<>();

    GpuKernels(Gpu gpu, GpuQueue queue) {
        this(gpu, queue, gpu.physicalDevice().maxStorageBufferRange(), MAX_GROUPS);
    }

    /**
     * Kernels that split their work as if one binding could cover only {@code maxBindingBytes} and one dispatch
     * dimension only {@code maxGroups} work groups (tests use small values to exercise the splitting).
     */
    GpuKernels(Gpu gpu, GpuQueue queue, long maxBindingBytes, int maxGroups) {
        this.memory = gpu.memory();
        this.queue = queue;
        this.pipelines = gpu.pipelines();
        this.device = gpu.physicalDevice();
        this.alignment = Math.max(4, device.minStorageBufferOffsetAlignment());
        this.usableRange = Math.min(maxBindingBytes, device.maxStorageBufferRange()) - alignment - 4;
        this.maxGroups = Math.min(maxGroups, MAX_GROUPS);
    }

    /** The queue these kernels record their work on. */
    public GpuQueue queue() {
        return queue;
    }

    /** A short name for messages and benchmarks, e.g. {@code vulkan llvmpipe (LLVM 15.0.6, 256 bits)}. */
    public String name() {
        return "vulkan " + device.name();
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
        await(affineQuantizeAsync(w, dtype, rows, cols, groupSize, bits, packed, scales, biases));
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
        checkFloat(dtype, "w");
        checkAffine(cols, groupSize, bits);
        int es = dtype.byteSize();
        long groupsPerRow = cols / groupSize;
        long wordsPerRow = (long) cols * bits / 32;
        Operand in = input("w", w, rows * cols * es, es);
        Operand outPacked = output("packed", packed, rows * wordsPerRow * 4);
        Operand outScales = output("scales", scales, rows * groupsPerRow * es);
        Operand outBiases = output("biases", biases, rows * groupsPerRow * es);
        long chunk = Math.min(
                chunkRows(cols * (long) es, wordsPerRow * 4, groupsPerRow * es),
                Math.min(maxInvocations() / groupsPerRow, 0xFFFF_FFFEL / cols));
        int chunks = Math.toIntExact((rows + chunk - 1) / chunk);
        MemorySegment status =
                memory.allocateUninitialized(4L * Math.max(chunks, 1)).fill((byte) 0xFF);
        Operand statusOperand = input("status", status, status.byteSize(), 4);
        ComputePipeline pipeline = pipelines.get(GpuKernel.AFFINE_QUANTIZE, typeCode(dtype), bits, groupSize);
        List<Consumer<CommandRecorder>> dispatches = copiesIn(in);
        for (int c = 0; c < chunks; c++) {
            long r0 = c * chunk;
            long nr = Math.min(chunk, rows - r0);
            Binding bw = bind(in, r0 * cols * es, nr * cols * es, es);
            Binding bp = bind(outPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Binding bs = bind(outScales, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Binding bb = bind(outBiases, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Binding st = bind(statusOperand, 0, status.byteSize(), 4);
            long groups = nr * groupsPerRow;
            dispatches.add(dispatch(
                    pipeline,
                    new Binding[] {bw, bp, bs, bb, st},
                    new int[] {(int) groups, base(bw), base(bp), base(bs), base(bb), c},
                    (groups + INVOCATIONS - 1) / INVOCATIONS,
                    1));
        }
        return submit(
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
        await(affineDequantizeAsync(packed, scales, biases, dtype, rows, cols, groupSize, bits, out));
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
        checkFloat(dtype, "scales");
        checkAffine(cols, groupSize, bits);
        int es = dtype.byteSize();
        long groupsPerRow = cols / groupSize;
        long wordsPerRow = (long) cols * bits / 32;
        Operand inPacked = input("packed", packed, rows * wordsPerRow * 4, 4);
        Operand inScales = input("scales", scales, rows * groupsPerRow * es, es);
        Operand inBiases = input("biases", biases, rows * groupsPerRow * es, es);
        Operand outValues = output("out", out, rows * cols * es);
        long chunk =
                Math.min(chunkRows(wordsPerRow * 4, groupsPerRow * es, cols * (long) es), maxInvocations() * 32 / cols);
        ComputePipeline pipeline = pipelines.get(GpuKernel.AFFINE_DEQUANTIZE, typeCode(dtype), bits, groupSize);
        List<Consumer<CommandRecorder>> dispatches = copiesIn(inPacked, inScales, inBiases);
        for (long r0 = 0; r0 < rows; r0 += chunk) {
            long nr = Math.min(chunk, rows - r0);
            Binding bp = bind(inPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Binding bs = bind(inScales, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Binding bb = bind(inBiases, r0 * groupsPerRow * es, nr * groupsPerRow * es, es);
            Binding bo = bind(outValues, r0 * cols * es, nr * cols * es, es);
            long blocks = nr * cols / 32;
            dispatches.add(dispatch(
                    pipeline,
                    new Binding[] {bp, bs, bb, bo},
                    new int[] {(int) blocks, base(bp), base(bs), base(bb), base(bo)},
                    (blocks + INVOCATIONS - 1) / INVOCATIONS,
                    1));
        }
        return submit(dispatches, null, List.of(inPacked, inScales, inBiases), outValues);
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
        await(affineMatmulAsync(x, packed, scales, biases, dtype, 1, m, k, n, transpose, true, groupSize, bits, out));
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
        checkFloat(dtype, "x");
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
        await(fpQuantizeAsync(w, dtype, rows, cols, format, globalScale, packed, scales));
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
        checkFloat(dtype, "w");
        checkFp(cols, format, globalScale);
        int es = dtype.byteSize();
        int g = format.groupSize();
        long groupsPerRow = cols / g;
        long wordsPerRow = (long) cols * format.bits() / 32;
        Operand in = input("w", w, rows * cols * es, es);
        Operand outPacked = output("packed", packed, rows * wordsPerRow * 4);
        Operand outScales = output("scales", scales, rows * groupsPerRow);
        Operand table = input("exponent table", mxTable(dtype), 4L * MxExponentTable.ENTRIES, 4);
        float enc = globalScale == null ? 1f : 448f * 6f / globalScale;
        long chunk =
                Math.min(chunkRows(cols * (long) es, wordsPerRow * 4, groupsPerRow), maxInvocations() / groupsPerRow);
        ComputePipeline pipeline = pipelines.get(GpuKernel.FP_QUANTIZE, typeCode(dtype), formatCode(format));
        List<Consumer<CommandRecorder>> dispatches = copiesIn(in);
        for (long r0 = 0; r0 < rows; r0 += chunk) {
            long nr = Math.min(chunk, rows - r0);
            Binding bw = bind(in, r0 * cols * es, nr * cols * es, es);
            Binding bp = bind(outPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Binding bs = bind(outScales, r0 * groupsPerRow, nr * groupsPerRow, 1);
            Binding bt = bind(table, 0, 4L * MxExponentTable.ENTRIES, 4);
            long groups = nr * groupsPerRow;
            dispatches.add(dispatch(
                    pipeline,
                    new Binding[] {bw, bp, bs, bt},
                    new int[] {(int) groups, base(bw), base(bp), base(bs), Float.floatToRawIntBits(enc)},
                    (groups + INVOCATIONS - 1) / INVOCATIONS,
                    1));
        }
        return submit(dispatches, null, List.of(in, table), outPacked, outScales);
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
        await(fpDequantizeAsync(packed, scales, rows, cols, format, globalScale, outType, out));
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
        checkFloat(outType, "out");
        checkFp(cols, format, globalScale);
        int es = outType.byteSize();
        long groupsPerRow = cols / format.groupSize();
        long wordsPerRow = (long) cols * format.bits() / 32;
        Operand inPacked = input("packed", packed, rows * wordsPerRow * 4, 4);
        Operand inScales = input("scales", scales, rows * groupsPerRow, 1);
        Operand outValues = output("out", out, rows * cols * es);
        float factor = globalScale == null ? 1f : FpFormat.globalFactor(globalScale);
        long chunk = Math.min(chunkRows(wordsPerRow * 4, groupsPerRow, cols * (long) es), maxInvocations() * 32 / cols);
        ComputePipeline pipeline = pipelines.get(
                GpuKernel.FP_DEQUANTIZE, typeCode(outType), formatCode(format), globalScale == null ? 0 : 1);
        List<Consumer<CommandRecorder>> dispatches = copiesIn(inPacked, inScales);
        for (long r0 = 0; r0 < rows; r0 += chunk) {
            long nr = Math.min(chunk, rows - r0);
            Binding bp = bind(inPacked, r0 * wordsPerRow * 4, nr * wordsPerRow * 4, 4);
            Binding bs = bind(inScales, r0 * groupsPerRow, nr * groupsPerRow, 1);
            Binding bo = bind(outValues, r0 * cols * es, nr * cols * es, es);
            long count = nr * cols;
            long blocks = (count + 31) / 32;
            dispatches.add(dispatch(
                    pipeline,
                    new Binding[] {bp, bs, bo},
                    new int[] {(int) blocks, (int) count, base(bp), base(bs), base(bo), Float.floatToRawIntBits(factor)
                    },
                    (blocks + INVOCATIONS - 1) / INVOCATIONS,
                    1));
        }
        return submit(dispatches, null, List.of(inPacked, inScales), outValues);
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
        await(fpMatmulAsync(x, packed, scales, dtype, 1, m, k, n, transpose, true, format, globalScale, out));
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
        checkFloat(dtype, "x");
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
        Operand inX = input("x", x, (long) batches * m * k * es, es);
        Operand inPacked = input("packed", packed, wBatches * rows * wordsPerRow * 4, 4);
        Operand inScales = input("scales", scales, wBatches * rows * groupsPerRow * ses, ses);
        Operand inBiases =
                biases == null ? inScales : input("biases", biases, wBatches * rows * groupsPerRow * ses, ses);
        Operand outValues = output("out", out, (long) batches * m * n * es);
        if (m == 0) {
            return CompletableFuture.completedFuture(null);
        }
        GpuKernel kernel = m <= 8 ? (transpose ? GpuKernel.QMV : GpuKernel.QVM) : GpuKernel.QMM;
        ComputePipeline pipeline = kernel == GpuKernel.QMM
                ? pipelines.get(kernel, typeCode(dtype), mode.ordinal())
                : pipelines.get(kernel, typeCode(dtype), mode.ordinal(), bits);
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

        List<Consumer<CommandRecorder>> dispatches = copiesIn(inX, inPacked, inScales, inBiases);
        long xBytes = (long) batches * m * k * es;
        long wBytes = wBatches * rows * wordsPerRow * 4;
        long sBytes = wBatches * rows * groupsPerRow * ses;
        long outBytes = (long) batches * m * n * es;
        long tileLimit = (long) maxGroups * 32;
        long depth = kernel == GpuKernel.QMM ? batches : (long) batches * m; // work group z
        if (Math.max(Math.max(xBytes, wBytes), Math.max(sBytes, outBytes)) <= usableRange
                && depth <= maxGroups
                && (kernel != GpuKernel.QMM || (m <= tileLimit && n <= tileLimit))) {
            long perBatchRows = sharedWeight ? 0 : rows;
            dispatches.add(shape.dispatch(
                    this,
                    pipeline,
                    bind(inX, 0, xBytes, es),
                    bind(inPacked, 0, wBytes, 4),
                    bind(inScales, 0, sBytes, ses),
                    bind(inBiases, 0, sBytes, ses),
                    bind(outValues, 0, outBytes, es),
                    m,
                    n,
                    batches,
                    (long) m * k,
                    perBatchRows * wordsPerRow,
                    perBatchRows * groupsPerRow,
                    (long) m * n));
        } else {
            long mChunk = Math.min(
                    Math.min(m, tileLimit), Math.min(usableRange / ((long) k * es), usableRange / ((long) n * es)));
            long nChunk = transpose
                    ? Math.min(
                            Math.min(n, tileLimit),
                            Math.min(usableRange / (wordsPerRow * 4), usableRange / Math.max(1, groupsPerRow * ses)))
                    : n;
            if (mChunk < 1
                    || nChunk < 1
                    || (!transpose && Math.max(rows * wordsPerRow * 4, rows * groupsPerRow * ses) > usableRange)
                    || (!transpose && kernel == GpuKernel.QMM && n > tileLimit)) {
                throw new IllegalArgumentException("this matmul's operands exceed what one storage buffer of "
                        + device.name() + " may cover (" + device.maxStorageBufferRange() + " bytes) even when split; "
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
                        Binding bx = bind(inX, ((long) b * m + m0) * k * es, (long) mc * k * es, es);
                        Binding bw = bind(inPacked, wRow0 * wordsPerRow * 4, wRows * wordsPerRow * 4, 4);
                        Binding bs = bind(inScales, wRow0 * groupsPerRow * ses, wRows * groupsPerRow * ses, ses);
                        Binding bb = bind(inBiases, wRow0 * groupsPerRow * ses, wRows * groupsPerRow * ses, ses);
                        Binding bo = bind(
                                outValues, (((long) b * m + m0) * n + n0) * es, ((long) (mc - 1) * n + nc) * es, es);
                        dispatches.add(shape.dispatch(this, pipeline, bx, bw, bs, bb, bo, mc, nc, 1, 0, 0, 0, 0));
                    }
                }
            }
        }
        return submit(dispatches, null, List.of(inX, inPacked, inScales, inBiases), outValues);
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
                GpuKernels kernels,
                ComputePipeline pipeline,
                Binding bx,
                Binding bw,
                Binding bs,
                Binding bb,
                Binding bo,
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
                base(bx),
                base(bw),
                base(bs),
                base(bb),
                base(bo),
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
            Binding[] bindings = {bx, bw, bs, bb, bo};
            return switch (kernel) {
                case QMV -> kernels.dispatch(pipeline, bindings, push, (nc + 7) / 8, batches * mc);
                case QVM -> kernels.dispatch(pipeline, bindings, push, (nc + 63) / 64, batches * mc);
                default ->
                    recorder -> record(recorder, pipeline, bindings, push, (nc + 31) / 32, (mc + 31) / 32, batches);
            };
        }
    }

    // ---------------------------------------------------------------- operands and dispatches

    /** A storage-buffer binding: buffer, aligned offset and range, and the element index the operand starts at. */
    private record Binding(long buffer, long offset, long range, long base) {}

    /**
     * A segment as the kernels see it: the caller's, or a copy in GPU memory ({@code staged}: copied in by the host
     * before the work, or out after it; {@code gpuCopy}: copied in or out on the GPU, in order with the work around
     * it, for GPU memory at an offset a binding cannot start at).
     */
    private record Operand(
            String name,
            MemorySegment user,
            MemorySegment data,
            GpuMemory.Location location,
            boolean staged,
            Consumer<CommandRecorder> gpuCopy) {}

    /**
     * An input of {@code bytes} bytes of elements of {@code elementSize} bytes. GPU memory is bound in place, or,
     * at an offset a binding cannot express, copied on the GPU (its contents may still be being computed by work
     * recorded earlier on the queue); other memory is copied in by the host now.
     */
    private Operand input(String name, MemorySegment segment, long bytes, int elementSize) {
        requireSize(name, segment, bytes);
        Optional<GpuMemory.Location> where = memory.locate(segment);
        if (where.isPresent() && segment.address() % elementSize == 0) {
            return new Operand(name, segment, segment, where.get(), false, null);
        }
        if (where.isPresent()) {
            MemorySegment copy = memory.allocateUninitialized(bytes);
            GpuMemory.Location from = where.get();
            GpuMemory.Location to = memory.locate(copy).orElseThrow();
            return new Operand(
                    name,
                    segment,
                    copy,
                    to,
                    false,
                    bytes == 0
                            ? null
                            : recorder -> recorder.copy(from.buffer(), from.offset(), to.buffer(), to.offset(), bytes));
        }
        MemorySegment copy = memory.stage(segment.asSlice(0, bytes));
        return new Operand(name, segment, copy, memory.locate(copy).orElseThrow(), true, null);
    }

    /**
     * An output: GPU memory at a 4-byte boundary is written in place; other GPU memory through a copy made on the
     * GPU right after the work (later work on the queue may read it); other memory through a copy the host makes
     * when the work has completed.
     */
    private Operand output(String name, MemorySegment segment, long bytes) {
        requireSize(name, segment, bytes);
        Optional<GpuMemory.Location> where = memory.locate(segment);
        if (where.isPresent() && segment.address() % 4 == 0) {
            return new Operand(name, segment, segment, where.get(), false, null);
        }
        MemorySegment temp = memory.allocateUninitialized(bytes);
        GpuMemory.Location from = memory.locate(temp).orElseThrow();
        if (where.isPresent()) {
            GpuMemory.Location to = where.get();
            return new Operand(
                    name,
                    segment,
                    temp,
                    from,
                    false,
                    bytes == 0
                            ? null
                            : recorder -> recorder.copy(from.buffer(), from.offset(), to.buffer(), to.offset(), bytes));
        }
        return new Operand(name, segment, temp, from, true, null);
    }

    /** A new list of an operation's steps, starting with the GPU copies its inputs need. */
    private static List<Consumer<CommandRecorder>> copiesIn(Operand... inputs) {
        List<Consumer<CommandRecorder>> steps = new ArrayList<>();
        for (Operand o : inputs) {
            if (o.gpuCopy() != null && !steps.contains(o.gpuCopy())) {
                steps.add(o.gpuCopy());
            }
        }
        return steps;
    }

    private static void requireSize(String name, MemorySegment segment, long bytes) {
        if (segment == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException(
                    name + " holds " + segment.byteSize() + " bytes but " + bytes + " are needed");
        }
    }

    /**
     * Records an operation: its steps, then the GPU copies of its outputs; once executed, {@code check} (may be
     * null) and the host copies of outputs outside GPU memory. The operands stay reachable until then.
     */
    private CompletableFuture<Void> submit(
            List<Consumer<CommandRecorder>> steps,
            GpuQueue.Completion check,
            List<Operand> inputs,
            Operand... outputs) {
        for (Operand o : outputs) {
            if (o.gpuCopy() != null) {
                steps.add(o.gpuCopy());
            }
        }
        return queue.record(
                steps,
                () -> {
                    if (check != null) {
                        check.run();
                    }
                    for (Operand o : outputs) {
                        if (o.staged()) {
                            o.user()
                                    .copyFrom(o.data()
                                            .asSlice(
                                                    0,
                                                    Math.min(
                                                            o.data().byteSize(),
                                                            o.user().byteSize())));
                        }
                    }
                },
                List.of(inputs, List.of(outputs)));
    }

    private Binding bind(Operand o, long byteStart, long byteLength, int elementSize) {
        long start = o.location().offset() + byteStart;
        long aligned = start - Math.floorMod(start, alignment);
        long limit = o.location().offset() + o.location().available();
        long end = Math.min((start + Math.max(byteLength, 1) + 3) / 4 * 4, limit);
        if (end - aligned > device.maxStorageBufferRange()) {
            throw new IllegalStateException("binding of " + o.name() + " covers " + (end - aligned)
                    + " bytes, more than maxStorageBufferRange " + device.maxStorageBufferRange());
        }
        return new Binding(o.location().buffer(), aligned, end - aligned, (start - aligned) / elementSize);
    }

    private static int base(Binding b) {
        return Math.toIntExact(b.base());
    }

    /** Rows per dispatch so that no operand's rows exceed the storage-buffer range. */
    private long chunkRows(long... bytesPerRow) {
        long rows = Long.MAX_VALUE;
        for (long b : bytesPerRow) {
            if (b > usableRange) {
                throw new IllegalArgumentException("one row needs " + b + " bytes, more than one storage-buffer binding"
                        + " may cover (" + usableRange + " bytes usable of " + device.name()
                        + "'s maxStorageBufferRange " + device.maxStorageBufferRange() + ")");
            }
            rows = Math.min(rows, usableRange / Math.max(b, 1));
        }
        return rows;
    }

    /** Invocations one dispatch of 64-wide work groups may have (spread over x and y). */
    private long maxInvocations() {
        return (long) INVOCATIONS * maxGroups * maxGroups;
    }

    /** A dispatch of {@code workGroups} linearly numbered work groups (spread over x and y), z = {@code depth}. */
    private Consumer<CommandRecorder> dispatch(
            ComputePipeline pipeline, Binding[] bindings, int[] push, long workGroups, int depth) {
        return recorder -> {
            long x = Math.max(1, Math.min(workGroups, maxGroups));
            long y = Math.max(1, (workGroups + x - 1) / x);
            record(recorder, pipeline, bindings, push, (int) x, (int) y, depth);
        };
    }

    private static void record(
            CommandRecorder recorder, ComputePipeline pipeline, Binding[] bindings, int[] push, int x, int y, int z) {
        long[] buffers = new long[bindings.length];
        long[] offsets = new long[bindings.length];
        long[] ranges = new long[bindings.length];
        for (int i = 0; i < bindings.length; i++) {
            buffers[i] = bindings[i].buffer();
            offsets[i] = bindings[i].offset();
            ranges[i] = bindings[i].range();
        }
        try (Arena arena = Arena.ofConfined()) {
            recorder.dispatch(
                    pipeline, buffers, offsets, ranges, arena.allocateFrom(ValueLayout.JAVA_INT, push), x, y, z);
        }
    }

    private MemorySegment mxTable(DType dtype) {
        return mxTables.computeIfAbsent(dtype, t -> {
            MemorySegment table = memory.allocateUninitialized(4L * MxExponentTable.ENTRIES);
            MemorySegment.copy(MxExponentTable.build(t), 0, table, ValueLayout.JAVA_INT, 0, MxExponentTable.ENTRIES);
            return table;
        });
    }

    // ---------------------------------------------------------------- checks

    private static int typeCode(DType t) {
        return switch (t) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case BFLOAT16 -> 2;
            default ->
                throw new IllegalArgumentException("the GPU kernels take float32, float16 or bfloat16, not " + t);
        };
    }

    private static int formatCode(FpFormat f) {
        return switch (f) {
            case MXFP4 -> 0;
            case MXFP8 -> 1;
            case NVFP4 -> 2;
        };
    }

    private static void checkFloat(DType t, String what) {
        if (t != DType.FLOAT32 && t != DType.FLOAT16 && t != DType.BFLOAT16) {
            throw new IllegalArgumentException(what + " must be float32, float16 or bfloat16 but is " + t);
        }
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

    /** Submits and waits; the failure of the work is rethrown as it was raised (e.g. the CPU's exceptions). */
    private void await(CompletableFuture<Void> future) {
        queue.flush();
        try {
            future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
