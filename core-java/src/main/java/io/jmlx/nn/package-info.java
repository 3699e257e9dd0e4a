/**
 * Models as trees of modules, in the manner of MLX's {@code mlx.nn}: {@link io.jmlx.nn.Module} (dotted paths,
 * parameters, leaf traversal, in-place replacement, {@code loadWeights}), the layers {@link io.jmlx.nn.Linear},
 * {@link io.jmlx.nn.Embedding}, {@link io.jmlx.nn.QuantizedLinear}, {@link io.jmlx.nn.QuantizedEmbedding},
 * the norms {@link io.jmlx.nn.RMSNorm} and {@link io.jmlx.nn.LayerNorm}, rotary positions {@link io.jmlx.nn.RoPE},
 * the {@link io.jmlx.nn.Activations}, the containers {@link io.jmlx.nn.Sequential} and {@link io.jmlx.nn.ModuleList},
 * and model-level
 * {@link io.jmlx.nn.Quantization#quantize quantize} / {@link io.jmlx.nn.Quantization#dequantize dequantize}.
 *
 * <pre>{@code
 * Sequential model = new Sequential(new Embedding(vocab, 256), new Linear(256, 256));
 * QuantizationResult done = Quantization.quantize(model, 64, 4, "affine",
 *         (path, m) -> path.equals("layers.1") ? QuantizeDecision.with(32, 8) : QuantizeDecision.quantize());
 * Array logits = model.forward(tokenIds);
 * Map<String, Array> checkpoint = model.parameters();      // layers.0.weight, layers.0.scales, layers.0.biases, ...
 * model.loadWeights(checkpoint, true);
 * }</pre>
 */
package io.jmlx.nn;
