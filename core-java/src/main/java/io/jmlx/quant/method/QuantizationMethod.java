package io.jmlx.quant.method;

import io.jmlx.Array;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a weight's codes, scales and biases are chosen. Every method writes MLX's layout for the given settings, so
 * MLX, mlx-lm and jmlx load the result unchanged; they differ in the error they minimise and what they need.
 */
public enum QuantizationMethod {
    /** MLX's round to nearest from each group's minimum and maximum: MLX's bytes exactly (the default). */
    RTN("rtn", Kind.DATA_FREE),
    /** {@link MseSearch}: per group, the scale and bias (rounded to the dtype) of least squared error. Affine only. */
    MSE(MseSearch.NAME, Kind.DATA_FREE),
    /**
     * {@link Gptq}: linear layers minimise their output error on calibration inputs; other layers (embeddings) get
     * {@link #MSE}. Affine only.
     */
    GPTQ(Gptq.NAME, Kind.CALIBRATED);

    /** What a method needs besides the weights. */
    public enum Kind {
        /** Nothing: the weights alone. */
        DATA_FREE("data-free"),
        /** Inputs that the model is run on (calibration text), to measure what each layer sees. */
        CALIBRATED("calibrated");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** {@code data-free} or {@code calibrated}. */
        @Override
        public String toString() {
            return label;
        }
    }

    private final String methodName;
    private final Kind kind;

    QuantizationMethod(String methodName, Kind kind) {
        this.methodName = methodName;
        this.kind = kind;
    }

    /** The name the command line and reports use, e.g. {@code gptq}. */
    public String methodName() {
        return methodName;
    }

    /** Whether the method needs calibration inputs. */
    public Kind kind() {
        return kind;
    }

    /**
     * The method called {@code name}.
     *
     * @throws IllegalArgumentException naming the methods there are
     */
    public static QuantizationMethod parse(String name) {
        for (QuantizationMethod m : values()) {
            if (m.methodName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown quantization method '" + name + "'. The methods are: "
                + Arrays.stream(values()).map(QuantizationMethod::methodName).collect(Collectors.joining(", "))
                + ".");
    }

    /**
     * Quantizes {@code w} without calibration data: {@link #RTN} as MLX's {@code quantize} (any mode), {@link #MSE} as
     * {@link MseSearch}; {@link #GPTQ}, which needs inputs, falls back to {@link #MSE} (what it does for layers it
     * has no inputs for, such as embeddings).
     */
    public QuantizedParts quantizeDataFree(Array w, QuantizationSettings settings) {
        return switch (this) {
            case RTN ->
                Jmlx.quantize(
                        w,
                        settings.groupSize(),
                        settings.bits(),
                        settings.mode().mlxName(),
                        null);
            case MSE, GPTQ -> MseSearch.quantize(w, settings);
        };
    }

    @Override
    public String toString() {
        return methodName;
    }
}
