package io.jmlx.quant;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.kernels.Elements;
import java.lang.foreign.MemorySegment;

/** Argument checks and shape arithmetic shared by the quantization ops, with MLX's messages. */
final class QuantChecks {
    private QuantChecks() {}

    /**
     * The group size and bits a mode accepts: for affine MLX's supported settings (32/64/128; 2, 3, 4, 5, 6, 8),
     * for the microscaling modes their fixed ones.
     */
    static void checkSettings(String op, QuantizationMode mode, int groupSize, int bits) {
        if (!mode.isAffine()) {
            mode.checkFixedSettings(op, groupSize, bits);
            return;
        }
        if (groupSize != 32 && groupSize != 64 && groupSize != 128) {
            throw new IllegalArgumentException("[" + op + "] The requested group size " + groupSize
                    + " is not supported. " + "The supported group sizes are 32, 64, and 128.");
        }
        if (bits < 2 || bits > 8 || bits == 7) {
            throw new IllegalArgumentException("[" + op + "] The requested number of bits " + bits
                    + " is not supported. " + "The supported bits are 2, 3, 4, 5, 6 and 8.");
        }
    }

    /**
     * The scales (and biases) a mode needs, checked in MLX's order: affine needs floating scales and biases; the
     * microscaling modes need uint8 scales and no biases. Returns the type affine scales are computed in (MLX's
     * promotion of scales and biases), or {@code null} for the microscaling modes.
     */
    static DType checkScales(String op, QuantizationMode mode, Array scales, Array biases) {
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
    static void checkGlobalScale(String op, QuantizationMode mode, Array globalScale) {
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
    static long codesPerRow(long words, int bits) {
        return words * 32 % bits == 0 ? words * 32 / bits : -1;
    }

    /** The op's inputs: {@code arrays} followed by the global scale when there is one. */
    static Array[] withGlobalScale(Array globalScale, Array... arrays) {
        if (globalScale == null) {
            return arrays;
        }
        Array[] all = java.util.Arrays.copyOf(arrays, arrays.length + 1);
        all[arrays.length] = globalScale;
        return all;
    }

    /** The global scale's value inside a computation ({@code null} when the op has none). */
    static Float globalScaleValue(MemorySegment[] inputs, int index) {
        return inputs.length > index ? Elements.getFloat(inputs[index], DType.FLOAT32, 0) : null;
    }
}
