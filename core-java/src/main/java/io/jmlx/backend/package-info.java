/**
 * The backend interface beneath the core (MLX's {@code eval_cpu} / {@code eval_gpu}): a {@link io.jmlx.backend.Backend}
 * found with {@link java.util.ServiceLoader} offers devices, each with streams that run ops
 * ({@link io.jmlx.backend.BackendStream}), memory for their outputs ({@link io.jmlx.backend.Memory}) and one small
 * interface per kernel family ({@link io.jmlx.backend.Kernels}). Ops check their arguments, then call the kernels of
 * their stream's device; kernels take segments and one value type per concept. Arrays of any device can be read by
 * any device's ops (MLX's unified memory): a backend whose kernels get a segment it did not allocate reads it from
 * host memory (a GPU backend uploads it).
 */
package io.jmlx.backend;
