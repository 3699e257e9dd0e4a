package io.jmlx.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jmlx.Array;
import io.jmlx.backend.DeviceType;
import io.jmlx.gpu.Gpu;
import io.jmlx.gpu.GpuMemory;
import io.jmlx.io.model.CheckpointWriter;
import io.jmlx.io.model.ModelCheckpoint;
import io.jmlx.nn.ModelSaving;
import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import io.jmlx.stream.StreamOrDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TinyStories Llama with every op on the GPU (the Vulkan backend; on lavapipe here): float32 tells llama2.c's
 * reference story, memory-mapped weights are uploaded once and memory stays bounded over 200 tokens, and a 4-bit
 * checkpoint gives the CPU's tokens for as long as the two devices' logits agree. Skipped without a Vulkan device,
 * except under {@code CI=true}.
 */
class TinyStoriesOnGpuTest {
    private static final int STEPS = 200;

    private static Device gpu() {
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            assumeTrue(Device.isAvailable(DeviceType.GPU), "no GPU: " + Device.describeBackends());
        }
        return Device.gpu();
    }

    /** GPU memory in use: blocks held by reachable arrays, buffers reserved, weights in the upload cache. */
    private record Usage(long live, long reserved, long uploaded) {
        /** After a collection has returned the blocks of unreachable arrays. */
        static Usage settled(GpuMemory memory) throws InterruptedException {
            long previous = -1;
            for (int i = 0; i < 20 && memory.liveBytes() != previous; i++) {
                previous = memory.liveBytes();
                System.gc();
                Thread.sleep(50);
            }
            return new Usage(memory.liveBytes(), memory.reservedBytes(), memory.uploadedBytes());
        }

        @Override
        public String toString() {
            return String.format(
                    "%.2f MiB live, %.0f MiB reserved, %.2f MiB of weights uploaded",
                    live / 1048576.0, reserved / 1048576.0, uploaded / 1048576.0);
        }
    }

    @Test
    void float32TellsTheReferenceStoryWithWeightsUploadedOnceAndBoundedMemory() throws Exception {
        Device gpu = gpu();
        GpuMemory memory = Gpu.shared().memory();
        try (ModelCheckpoint checkpoint = ModelCheckpoint.open(TinyStories.directory());
                Stream.Scope scope = Stream.use(gpu)) {
            Llama llama = Llama.load(checkpoint);
            Iterator<Integer> story = llama.generate(TinyStories.prompt(), STEPS);
            int[] tokens = new int[STEPS];
            long start = System.nanoTime();
            tokens[0] = story.next();
            long firstNanos = System.nanoTime() - start;
            Usage afterOne = Usage.settled(memory);
            start = System.nanoTime();
            for (int i = 1; i < STEPS; i++) {
                tokens[i] = story.next();
            }
            double perToken = (System.nanoTime() - start) / 1e6 / (STEPS - 1);
            Usage afterAll = Usage.settled(memory);
            System.out.printf(
                    "float32 on %s: first token %.0f ms, then %.1f ms per token%n",
                    gpu.name(), firstNanos / 1e6, perToken);
            System.out.println("GPU memory after 1 token: " + afterOne);
            System.out.println("GPU memory after " + STEPS + " tokens: " + afterAll);
            assertArrayEquals(TinyStories.expectedTokens(), tokens);

            // Every weight reached the GPU during the first token; no later op copied one again.
            long weights = checkpoint.names().stream()
                    .mapToLong(n -> checkpoint.get(n).nbytes())
                    .sum();
            assertEquals(afterOne.uploaded(), afterAll.uploaded(), "uploads after the first token");
            assertTrue(afterAll.uploaded() >= weights, afterAll + ", weights " + weights);
            // Live memory grows by the KV cache only (float32 keys and values of every layer and token)...
            LlamaConfig c = llama.config();
            long cache = 2L * c.numLayers() * c.numKvHeads() * c.headDim() * 4 * STEPS;
            assertTrue(
                    afterAll.live() - afterOne.live() <= 2 * cache + (1 << 20),
                    "live memory grew by " + (afterAll.live() - afterOne.live()) + " bytes; the cache holds " + cache);
            // ...and the buffers by at most one more chunk: freed blocks were reused.
            assertTrue(afterAll.reserved() <= afterOne.reserved() + GpuMemory.CHUNK_BYTES, afterOne + " / " + afterAll);
        }
    }

    @Test
    void aFourBitCheckpointGivesTheCpusTokensWhileTheLogitsAgree(@TempDir Path dir) throws IOException {
        Device gpu = gpu();
        Path q4 = dir.resolve("tinystories-4bit");
        try (ModelCheckpoint dense = ModelCheckpoint.open(TinyStories.directory())) {
            Llama llama = Llama.load(dense);
            llama.quantize(64, 4);
            ModelSaving.save(llama, dense.config(), null, CheckpointWriter.to(q4));
        }
        try (ModelCheckpoint checkpoint = ModelCheckpoint.open(q4)) {
            Llama onCpu = Llama.load(checkpoint);
            Llama onGpu = Llama.load(checkpoint);
            long start = System.nanoTime();
            int[] cpu = greedy(onCpu, Device.cpu());
            long cpuNanos = System.nanoTime() - start;
            start = System.nanoTime();
            int[] gpuTokens = greedy(onGpu, gpu);
            long gpuNanos = System.nanoTime() - start;
            System.out.printf(
                    "4-bit: %.1f ms per token on the CPU, %.1f ms on %s%n",
                    cpuNanos / 1e6 / STEPS, gpuNanos / 1e6 / STEPS, gpu.name());
            int first = Arrays.mismatch(cpu, gpuTokens);
            if (first < 0) {
                System.out.println("4-bit: the GPU gives the CPU's " + STEPS + " tokens");
                return;
            }
            // Both devices saw the same tokens before `first`: their logits there must nearly tie.
            int[] prefix = new int[1 + first];
            prefix[0] = TinyStories.prompt()[0];
            System.arraycopy(cpu, 0, prefix, 1, first);
            float[] cpuLogits = lastLogits(onCpu, prefix, Device.cpu());
            float[] gpuLogits = lastLogits(onGpu, prefix, gpu);
            float[] sorted = cpuLogits.clone();
            Arrays.sort(sorted);
            double margin = sorted[sorted.length - 1] - sorted[sorted.length - 2];
            double difference = 0;
            for (int i = 0; i < cpuLogits.length; i++) {
                difference = Math.max(difference, Math.abs(cpuLogits[i] - gpuLogits[i]));
            }
            System.out.printf(
                    "4-bit: first different token at %d of %d; there the CPU's top two logits are %.2e apart and "
                            + "the devices' logits differ by up to %.2e%n",
                    first, STEPS, margin, difference);
            assertTrue(
                    margin <= 2 * difference,
                    "the tokens differ although the logits' margin " + margin + " exceeds twice their difference "
                            + difference);
        }
    }

    private static int[] greedy(Llama llama, StreamOrDevice where) {
        try (Stream.Scope scope = Stream.use(where)) {
            int[] tokens = new int[STEPS];
            int[] count = {0};
            llama.generate(TinyStories.prompt(), STEPS, token -> tokens[count[0]++] = token);
            return tokens;
        }
    }

    private static float[] lastLogits(Llama llama, int[] tokens, StreamOrDevice where) {
        try (Stream.Scope scope = Stream.use(where)) {
            Array logits = llama.logits(tokens, llama.newCache());
            float[] all = logits.toFloatArray();
            int vocab = logits.dim(1);
            return Arrays.copyOfRange(all, all.length - vocab, all.length);
        }
    }
}
