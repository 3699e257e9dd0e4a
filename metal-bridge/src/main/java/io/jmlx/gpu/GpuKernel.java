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
    QMM("qmm", 5, 76);

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
