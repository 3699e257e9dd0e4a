/**
 * The Llama-family causal language model ({@code config.json}'s {@code model_type} {@code llama} or {@code mistral})
 * on jmlx's {@code nn} layers, loading Hugging Face / mlx-lm checkpoints (dense or quantized by mlx-lm) as they are,
 * with generation ({@link io.jmlx.models.llama.Generation}: greedy or sampled with temperature and top-p, stopping at
 * end of text), its tokenizers ({@link io.jmlx.models.llama.TextTokenizer}: llama2.c's {@code tokenizer.bin} and
 * Hugging Face byte-level BPE {@code tokenizer.json}) and a teacher-forced loss. Tested on TinyStories-260K
 * ({@code ../shared/models/tinystories-260k}): float32 reproduces the reference's 200 greedy tokens and its loss;
 * quantized to 8 bits the first 71 tokens match.
 *
 * <pre>{@code
 * try (ModelCheckpoint ckpt = ModelCheckpoint.open(Path.of("shared/models/tinystories-260k"))) {
 *     Llama llama = Llama.load(ckpt);                    // quantized layers stay quantized
 *     llama.quantize(64, 4);                             // optional: quantize a dense model in memory
 *     llama.generate(new int[] {1}, 200, token -> System.out.print(token + " "));
 *     double nll = llama.meanNll(new int[] {1}, referenceTokens);
 * }
 * }</pre>
 */
package io.jmlx.models.llama;
