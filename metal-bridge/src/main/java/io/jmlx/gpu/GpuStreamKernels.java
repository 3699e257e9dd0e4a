package io.jmlx.gpu;

import io.jmlx.backend.KernelFamilies;

/**
 * What a GPU stream runs on: every kernel family, recording on one queue of its own (each call records its work and
 * returns at once), and that queue, which the stream submits.
 */
public record GpuStreamKernels(GpuQueue queue, KernelFamilies kernels) {}
