/**
 * jmlx's core: arrays on native memory, streams and devices, MLX-exact quantization, the {@code nn} layer and
 * checkpoint I/O. It exports the API packages and the backend interface; the op implementations, the scheduler and
 * the CPU kernels stay inside. Backends (the built-in CPU one, a GPU one such as {@code jmlx-metal-bridge}) are
 * found with {@link java.util.ServiceLoader}.
 */
module io.jmlx.core {
    requires transitive com.fasterxml.jackson.databind;
    requires static jdk.incubator.vector;

    exports io.jmlx;
    exports io.jmlx.quant;
    exports io.jmlx.quant.method;
    exports io.jmlx.stream;
    exports io.jmlx.backend;
    exports io.jmlx.nn;
    exports io.jmlx.io;
    exports io.jmlx.io.safetensors;
    exports io.jmlx.io.onnx;
    exports io.jmlx.io.model;

    uses io.jmlx.backend.Backend;

    provides io.jmlx.backend.Backend with
            io.jmlx.kernels.CpuBackend;
}
