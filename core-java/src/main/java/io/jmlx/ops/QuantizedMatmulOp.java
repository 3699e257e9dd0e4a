package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.QuantizedBuffers;
import io.jmlx.backend.QuantizedMatmulSpec;
import io.jmlx.quant.QuantChecks;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.stream.StreamOrDevice;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * MLX's {@code quantized_matmul}: {@code x @ dequantize(w).T} ({@code transpose}, W stored {@code [..., N, K]})
 * or {@code x @ dequantize(w)} (W stored {@code [..., K, N]}). Output type: affine, x's type promoted with the
 * scales'; microscaling modes, x's type.
 * Batch dims of x and w broadcast when both have them. Unlike MLX, scales with the wrong number of rows and a
 * 2-D x against a batched w are rejected instead of silently mishandled.
 */
public final class QuantizedMatmulOp {
    /** The op's name in messages. */
    public static final String NAME = "quantized_matmul";

    private QuantizedMatmulOp() {}

    /**
     * Computes the product; see the class comment. {@code null} group size and bits take the mode's defaults.
     * nvfp4's global scale (which MLX's op has no argument for) may be given: the product then uses the weights
     * {@code dequantize} gives with that scale.
     */
    public static Array quantizedMatmul(
            Array x,
            Array w,
            Array scales,
            Array biases,
            boolean transpose,
            QuantizationMode m,
            Integer groupSize,
            Integer bits,
            Array globalScale,
            StreamOrDevice s) {
        DType scaleType = QuantChecks.checkScales(NAME, m, scales, biases);
        int g = m.groupSizeOr(groupSize);
        int b = m.bitsOr(bits);
        QuantizationSettings.requireSupported(NAME, g, b, m);
        QuantChecks.checkGlobalScale(NAME, m, globalScale);
        int[] wShape = w.shape();
        int[] sShape = scales.shape();
        if (w.dtype() != DType.UINT32) {
            throw new IllegalArgumentException(
                    "[quantized_matmul] The weight matrix should be uint32 but received " + w.dtype());
        }
        if (wShape.length < 2) {
            throw new IllegalArgumentException(
                    "[quantized_matmul] w must have at least 2 dimensions but has shape " + Shape.format(wShape) + ".");
        }
        if (biases != null && !Arrays.equals(sShape, biases.shape())) {
            throw new IllegalArgumentException("[quantized_matmul] Scales and biases should have the same shape. "
                    + "Received scales with shape " + Shape.format(sShape) + " and biases with "
                    + Shape.format(biases.shape()));
        }
        if (sShape.length != wShape.length || !Arrays.equals(Shape.batch(wShape), Shape.batch(sShape))) {
            throw new IllegalArgumentException("[quantized_matmul] Weight and scales should have the same batch shape. "
                    + "Received weight with shape " + Shape.format(wShape) + ", scales with " + Shape.format(sShape)
                    + ".");
        }
        int rows = wShape[wShape.length - 2];
        long words = wShape[wShape.length - 1];
        long expanded = QuantChecks.codesPerRow(words, b);
        if (expanded < 0 || expanded != (long) sShape[sShape.length - 1] * g) {
            throw new IllegalArgumentException(
                    "[quantized_matmul] The shapes of the weight and scales are incompatible "
                            + "based on bits and group_size. w.shape() == " + Shape.format(wShape)
                            + " and scales.shape() == "
                            + Shape.format(sShape) + " with group_size=" + g + " and bits=" + b);
        }
        if (sShape[sShape.length - 2] != rows) {
            throw new IllegalArgumentException("[quantized_matmul] scales has " + sShape[sShape.length - 2]
                    + " rows but w has " + rows + ": scales must have shape "
                    + Shape.format(Shape.withLast(wShape, sShape[sShape.length - 1])) + " for w of shape "
                    + Shape.format(wShape) + ".");
        }
        int inner = transpose ? Math.toIntExact(expanded) : rows;
        int outer = transpose ? rows : Math.toIntExact(expanded);
        int[] xShape = x.shape();
        if (xShape.length < 1 || xShape[xShape.length - 1] != inner) {
            throw new IllegalArgumentException("[quantized_matmul] Last dimension of first input with shape "
                    + (xShape.length < 1 ? "()" : "(..., " + xShape[xShape.length - 1] + ")")
                    + " does not match the expanded quantized matrix (" + inner + ", " + outer
                    + ") computed from shape "
                    + Shape.format(wShape) + " with group_size=" + g + ", bits=" + b + " and transpose=" + transpose);
        }
        if (wShape.length > 2 && xShape.length <= 2) {
            throw new IllegalArgumentException("[quantized_matmul] w of shape " + Shape.format(wShape)
                    + " is batched but x of shape " + Shape.format(xShape) + " has no batch dimensions (MLX would "
                    + "silently use w's first matrix only); give x batch dimensions, e.g. shape "
                    + Shape.format(Shape.concat(
                            new int[] {1}, xShape.length == 1 ? Shape.concat(new int[] {1}, xShape) : xShape))
                    + ", to broadcast over w's batch.");
        }
        DType t = m.isAffine() ? DType.promote(x.dtype(), scaleType) : x.dtype();
        if (!t.isFloating()) {
            throw new IllegalArgumentException(
                    "[quantized_matmul] Only real floating types are supported but x.dtype() == " + x.dtype() + ".");
        }
        if (t == DType.FLOAT64) {
            throw new IllegalArgumentException(
                    "[quantized_matmul] x of type float64 is not supported; use float32, " + "float16 or bfloat16.");
        }

        int[] xMatrix = xShape.length == 1 ? new int[] {1, xShape[0]} : xShape;
        int mRows = xMatrix[xMatrix.length - 2];
        int[] xBatch = Shape.batch(xMatrix);
        int[] wBatch = Shape.batch(wShape);
        int[] batch = wShape.length > 2 ? Shape.broadcast(NAME, xBatch, wBatch) : xBatch;
        int[] outShape = xShape.length == 1 ? new int[] {outer} : Shape.concat(batch, mRows, outer);

        Array xt = DenseOps.astype(x, t, s);
        long batchCount = Shape.size(batch);
        long groupsPerRow = sShape[sShape.length - 1];
        long xBytes = (long) mRows * inner * t.byteSize();
        long wBytes = (long) rows * words * 4;
        long yBytes = (long) mRows * outer * t.byteSize();
        QuantizedMatmulSpec spec =
                new QuantizedMatmulSpec(mRows, inner, outer, transpose, t, new QuantizationSettings(g, b, m), null);
        long sBytes = rows * groupsPerRow * (m.isAffine() ? t.byteSize() : 1);
        Array[] inputs = m.isAffine()
                ? new Array[] {xt, w, DenseOps.astype(scales, t, s), DenseOps.astype(biases, t, s)}
                : GlobalScales.withGlobalScale(globalScale, xt, w, scales);
        return Scheduler.submit(NAME, s, inputs, outShape, t, (kernels, in, o) -> {
            Float global = m.isAffine() ? null : GlobalScales.value(in, 3);
            QuantizedMatmulSpec run = global == null
                    ? spec
                    : new QuantizedMatmulSpec(mRows, inner, outer, transpose, t, spec.settings(), global);
            for (long i = 0; i < batchCount; i++) {
                long xi = Shape.broadcastIndex(batch, i, xBatch);
                long wi = Shape.broadcastIndex(batch, i, wBatch);
                kernels.quantization()
                        .matmul(
                                run,
                                slice(in[0], xi, xBytes),
                                new QuantizedBuffers(
                                        slice(in[1], wi, wBytes),
                                        slice(in[2], wi, sBytes),
                                        m.isAffine() ? slice(in[3], wi, sBytes) : null),
                                slice(o[0], i, yBytes));
            }
        });
    }

    /** The product with resolved settings; see the class comment. */
    public static Array quantizedMatmul(
            Array x,
            Array w,
            Array scales,
            Array biases,
            boolean transpose,
            QuantizationSettings settings,
            Array globalScale,
            StreamOrDevice s) {
        return quantizedMatmul(
                x,
                w,
                scales,
                biases,
                transpose,
                settings.mode(),
                settings.groupSize(),
                settings.bits(),
                globalScale,
                s);
    }

    private static MemorySegment slice(MemorySegment seg, long index, long bytes) {
        return seg.asSlice(index * bytes, bytes);
    }
}
