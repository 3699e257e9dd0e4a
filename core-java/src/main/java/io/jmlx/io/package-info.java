/**
 * Safetensors files: {@link io.jmlx.io.SafetensorsFile} maps a file and hands out zero-copy
 * {@link io.jmlx.Array} views after checking its header; {@link io.jmlx.io.SafetensorsWriter} writes arrays
 * atomically (temporary file, then rename). Malformed files are refused with a
 * {@link io.jmlx.io.SafetensorsFormatException}.
 */
package io.jmlx.io;
