package io.jmlx.gpu;

import io.jmlx.gpu.vulkan.ComputePipeline;
import io.jmlx.gpu.vulkan.VulkanDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Compute pipelines by kernel and specialization constants, each built once and kept until {@link #close()}. */
final class Pipelines implements AutoCloseable {
    private record Key(GpuKernel kernel, List<Integer> constants) {}

    private final VulkanDevice device;
    private final Map<GpuKernel, byte[]> spirv = new ConcurrentHashMap<>();
    private final Map<Key, ComputePipeline> pipelines = new ConcurrentHashMap<>();

    Pipelines(VulkanDevice device) {
        this.device = device;
    }

    /** The pipeline of {@code kernel} with specialization constants {@code 0..n-1} set to {@code constants}. */
    ComputePipeline get(GpuKernel kernel, int... constants) {
        Key key = new Key(kernel, Arrays.stream(constants).boxed().toList());
        return pipelines.computeIfAbsent(
                key,
                k -> ComputePipeline.create(
                        device,
                        kernel.fileName() + Arrays.toString(constants),
                        spirv(kernel),
                        kernel.bindings(),
                        kernel.pushConstantBytes(),
                        constants));
    }

    /** The kernel's SPIR-V from the class path. */
    static byte[] load(GpuKernel kernel) {
        try (InputStream in = Pipelines.class.getResourceAsStream(kernel.resource())) {
            if (in == null) {
                throw new IllegalStateException(
                        "the SPIR-V resource " + kernel.resource() + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + kernel.resource(), e);
        }
    }

    private byte[] spirv(GpuKernel kernel) {
        return spirv.computeIfAbsent(kernel, Pipelines::load);
    }

    @Override
    public void close() {
        pipelines.values().forEach(ComputePipeline::close);
        pipelines.clear();
    }
}
