/**
 * Weights of ONNX models: {@link io.jmlx.io.onnx.OnnxFile} reads a model's initializers zero-copy from the mapped
 * file with a protobuf reader of its own, and {@link io.jmlx.io.onnx.OnnxWeights} gives anonymous {@code MatMul}
 * weights their module names back. Malformed files are refused with an {@link io.jmlx.io.onnx.OnnxFormatException}.
 */
package io.jmlx.io.onnx;
