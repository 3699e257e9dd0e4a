/**
 * What every tensor file format shares: {@link io.jmlx.io.TensorFile} (named tensors read from a file),
 * {@link io.jmlx.io.TensorInfo} and {@link io.jmlx.io.TensorSpec} (a tensor's name, dtype and shape), and the strict
 * {@link io.jmlx.io.Json} mapper. The formats live in sub-packages: {@code safetensors}, {@code onnx} (weights of
 * an ONNX model) and {@code model} (model directories in mlx-lm's layout).
 */
package io.jmlx.io;
