/**
 * Model directories in mlx-lm's layout: {@link io.jmlx.io.model.ModelCheckpoint} opens one (config, shards and
 * index, memory-mapped), {@link io.jmlx.io.model.CheckpointWriter} writes one atomically, and
 * {@link io.jmlx.io.model.QuantizationConfig} is the {@code "quantization"} entry of its {@code config.json}.
 */
package io.jmlx.io.model;
