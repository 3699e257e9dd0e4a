/**
 * Safetensors files: {@link io.jmlx.io.safetensors.SafetensorsFile} maps a file and hands out zero-copy
 * {@link io.jmlx.Array} views after checking its header; {@link io.jmlx.io.safetensors.SafetensorsWriter} writes arrays
 * atomically (temporary file, then rename). Malformed files are refused with a
 * {@link io.jmlx.io.safetensors.SafetensorsFormatException}.
 */
package io.jmlx.io.safetensors;
