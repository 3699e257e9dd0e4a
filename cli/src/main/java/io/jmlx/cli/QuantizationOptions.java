package io.jmlx.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --bits}, {@code --group-size} and {@code --mode} options that {@code quantize} and {@code convert}
 * share (a picocli mixin). The values are checked where they are used, with MLX's messages.
 */
final class QuantizationOptions {
    @Option(
            names = {"-b", "--bits"},
            paramLabel = "B",
            description = "Bits per weight: 2, 3, 4, 5, 6 or 8 for affine; fixed for the other modes (default: the "
                    + "mode's: 4 for affine, mxfp4 and nvfp4, 8 for mxfp8).")
    Integer bits;

    @Option(
            names = {"-g", "--group-size"},
            paramLabel = "G",
            description = "Weights per scale: 32, 64 or 128 for affine; fixed for the other modes (default: the "
                    + "mode's: 64 for affine, 32 for mxfp4 and mxfp8, 16 for nvfp4).")
    Integer groupSize;

    @Option(
            names = "--mode",
            defaultValue = "affine",
            paramLabel = "MODE",
            description = "affine, mxfp4, mxfp8 or nvfp4 (default: ${DEFAULT-VALUE}, as MLX). nvfp4 is quantized "
                    + "without a global scale.")
    String mode;
}
