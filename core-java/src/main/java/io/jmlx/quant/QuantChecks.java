package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;

/**
 * MLX's argument checks for quantized data, with its messages: shared by the quantization ops and
 * {@link QuantizedArray}.
 */
public final class QuantChecks {
    private QuantChecks() {}

    /**
     * The scales (and biases) a mode needs, checked in MLX's order: affine needs floating scales and biases; the
     * microscaling modes need uint8 scales and no biases. Returns the type affine scales are computed in (MLX's
     * promotion of scales and biases), or {@code null} for the microscaling modes.
     */
    public static DType checkScales(String op, QuantizationMode mode, Array scales, Array biases) {
        if (scales == null) {
            throw new IllegalArgumentException("[" + op + "] scales must be provided.");
        }
        if (!mode.isAffine()) {
            if (scales.dtype() != DType.UINT8) {
                throw new IllegalArgumentException(
                        "[" + op + "] Scale type must be uint8 but received type " + scales.dtype() + ".");
            }
            if (biases != null) {
                throw new IllegalArgumentException(
                        "[" + op + "] Biases must be null for quantization mode '" + mode + "'.");
            }
            return null;
        }
        if (biases == null) {
            throw new IllegalArgumentException("[" + op + "] Biases must be provided for affine quantization.");
        }
        DType t = DType.promote(scales.dtype(), biases.dtype());
        if (!t.isFloating()) {
            throw new IllegalArgumentException(
                    "[" + op + "] Only real floating types are supported but scales.dtype() == " + scales.dtype()
                            + " and biases.dtype() == " + biases.dtype() + ".");
        }
        if (t == DType.FLOAT64) {
            throw new IllegalArgumentException("[" + op + "] scales and biases of type float64 are not supported; "
                    + "use float32, float16 or bfloat16.");
        }
        return t;
    }

    /** nvfp4's optional global scale: only in that mode, one element, float32 (MLX's checks and messages). */
    public static void checkGlobalScale(String op, QuantizationMode mode, Array globalScale) {
        if (globalScale == null) {
            return;
        }
        if (mode != QuantizationMode.NVFP4) {
            throw new IllegalArgumentException(
                    "[" + op + "] Global scale is only supported for 'nvfp4' quantization mode.");
        }
        if (globalScale.size() != 1) {
            throw new IllegalArgumentException("[" + op + "] Global scale must be a scalar but got shape "
                    + Shape.format(globalScale.shape()) + ".");
        }
        if (globalScale.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(
                    "[" + op + "] Global scale must have dtype float32 but got " + globalScale.dtype() + ".");
        }
    }

    /** Codes in a packed row of {@code words} uint32 words at {@code bits} bits, or -1 if they are not a whole number. */
    public static long codesPerRow(long words, int bits) {
        return words * 32 % bits == 0 ? words * 32 / bits : -1;
    }
}
