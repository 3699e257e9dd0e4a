package io.jmlx.samples.story

import com.fasterxml.jackson.databind.ObjectMapper
import io.jmlx.backend.DeviceType
import io.jmlx.io.model.ModelCheckpoint
import io.jmlx.kotlin.withDevice
import io.jmlx.models.llama.Llama
import io.jmlx.stream.Device
import io.jmlx.stream.Stream
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

/**
 * The forward pass on the GPU from Kotlin: inside `withDevice(Device.gpu()) { … }` every op of the
 * model (KV cache, attention, the argmax that picks each token) runs on the GPU's stream, the Flow
 * emits the reference story, and cancelling the collector stops generation at once, leaving the GPU
 * ready for more. Runs where a Vulkan device is (always under `CI=true`, where a missing device
 * fails it).
 */
class StoryFlowGpuSpec :
    FunSpec({
        val onGpu =
            System.getenv("CI").equals("true", ignoreCase = true) ||
                Device.isAvailable(DeviceType.GPU)
        val dir = sharedModel()
        val ids =
            ObjectMapper()
                .readTree(dir.resolve("expected.json").toFile())["expected_token_ids"]
                .map { it.asInt() }

        test("withDevice(Device.gpu()) runs the model on the GPU and emits the reference tokens")
            .config(enabled = onGpu) {
                ModelCheckpoint.open(dir).use { ckpt ->
                    val llama = Llama.load(ckpt)
                    val tokens =
                        withDevice(Device.gpu()) {
                            Stream.defaultStream().device() shouldBe Device.gpu()
                            llama.tokens(intArrayOf(1), 200).toList()
                        }
                    tokens shouldBe ids
                }
            }

        test("cancelling the collector stops generation on the GPU, which then goes on working")
            .config(enabled = onGpu) {
                ModelCheckpoint.open(dir).use { ckpt ->
                    val llama = Llama.load(ckpt)
                    val emitted = AtomicInteger()
                    val tenth = CompletableDeferred<Unit>()
                    val job =
                        launch(Dispatchers.Default) {
                            withDevice(Device.gpu()) {
                                llama
                                    .tokens(intArrayOf(1), 200)
                                    .onEach {
                                        if (emitted.incrementAndGet() == 10) tenth.complete(Unit)
                                    }
                                    .toList()
                            }
                        }
                    withTimeout(120_000) { tenth.await() }
                    job.cancelAndJoin()
                    val stoppedAt = emitted.get()
                    job.isCancelled shouldBe true
                    stoppedAt shouldBeLessThan 200
                    emitted.get() shouldBe stoppedAt
                    withDevice(Device.gpu()) {
                        llama.tokens(intArrayOf(1), 200).take(5).toList()
                    } shouldBe ids.take(5)
                }
            }
    })
