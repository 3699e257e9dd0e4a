/**
 * The {@code jmlx} command line, built with picocli: {@link io.jmlx.cli.JmlxCommand} and one class per
 * subcommand ({@code quantize}, {@code dequantize}, {@code example}).
 */
package io.jmlx.cli;
