package io.jmlx.gpu;

/**
 * The compute kernels of {@code src/main/glsl}, shipped as SPIR-V resources: the file name, the storage buffers
 * they bind and the size of their push constants.
 */
public enum GpuKernel {
    AFFINE_QUANTIZE("affine_quantize", 5, 24),
    AFFINE_DEQUANTIZE("affine_dequantize", 4, 20),
    FP_QUANTIZE("fp_quantize", 4, 20),
    FP_DEQUANTIZE("fp_dequantize", 3, 24),
    QMV("qmv", 5, 76),
    QVM("qvm", 5, 76),
    QMM("qmm", 5, 76),
    UNARY_EXP("unary_exp", 3, 12),
    UNARY_LOG("unary_log", 3, 12),
    UNARY_SQRT("unary_sqrt", 3, 12),
    UNARY_RSQRT("unary_rsqrt", 3, 12),
    UNARY_TANH("unary_tanh", 3, 12),
    UNARY_ERF("unary_erf", 3, 12),
    UNARY_SIGMOID("unary_sigmoid", 3, 12),
    UNARY_SQUARE("unary_square", 3, 12),
    UNARY_NEGATIVE("unary_negative", 3, 12),
    UNARY_SILU("unary_silu", 3, 12),
    UNARY_GELU("unary_gelu", 3, 12),
    UNARY_GELU_APPROX("unary_gelu_approx", 3, 12),
    BINARY("binary", 3, 92),
    CONVERT("convert", 2, 12),
    REDUCE("reduce", 2, 24),
    NORM("norm", 4, 28),
    ROPE("rope", 3, 28),
    TAKE("take", 4, 36),
    COPY("copy", 2, 64),
    MATMUL("matmul", 3, 32),
    MATMUL_VEC4("matmul_vec4", 3, 32),
    MATVEC("matvec", 3, 32);

    private final String fileName;
    private final int bindings;
    private final int pushConstantBytes;

    GpuKernel(String fileName, int bindings, int pushConstantBytes) {
        this.fileName = fileName;
        this.bindings = bindings;
        this.pushConstantBytes = pushConstantBytes;
    }

    /** The GLSL file name without extension, e.g. {@code affine_quantize}. */
    public String fileName() {
        return fileName;
    }

    /** The class-path resource of the SPIR-V. */
    public String resource() {
        return "/io/jmlx/gpu/spirv/" + fileName + ".spv";
    }

    public int bindings() {
        return bindings;
    }

    public int pushConstantBytes() {
        return pushConstantBytes;
    }
}
