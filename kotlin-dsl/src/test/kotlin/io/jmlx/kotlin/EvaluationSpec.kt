package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.DType
import io.jmlx.EvaluationException
import io.jmlx.Jmlx
import io.jmlx.ops.Scheduler
import io.jmlx.stream.Device
import io.jmlx.stream.Stream
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.lang.foreign.ValueLayout
import java.util.concurrent.CancellationException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.newSingleThreadContext
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

/**
 * Suspending evaluation: no blocked threads, the core's failures, and cancellation that reaches
 * pending work.
 */
class EvaluationSpec :
    FunSpec({
        timeout = 60_000

        test("eval and await suspend until the arrays are computed") {
            val a = Jmlx.astype(Array.of(floatArrayOf(1f, 2.5f), 2), DType.FLOAT16)
            a.await().toFloatArray().toList() shouldContainExactly listOf(1f, 2.5f)
            eval(a, Jmlx.astype(a, DType.FLOAT32))
        }

        test("a thousand awaits on one thread suspend instead of blocking it") {
            newSingleThreadContext("one-thread").use { one ->
                withContext(one) {
                    val futures = List(1000) { CompletableFuture<Float>() }
                    val stream = Stream.newStream(Device.cpu())
                    val arrays =
                        futures.map { f ->
                            Scheduler.submit(
                                "pending",
                                stream,
                                arrayOf(),
                                intArrayOf(1),
                                DType.FLOAT32,
                            ) { _, _, out ->
                                out[0].set(ValueLayout.JAVA_FLOAT, 0, f.join())
                            }
                        }
                    val waiters = arrays.map { a -> async { a.await().toFloatArray()[0] } }
                    // Runs on the same single thread only if every waiter above has suspended.
                    val completer = launch {
                        futures.forEachIndexed { i, f -> f.complete(i.toFloat()) }
                    }
                    withTimeout(30.seconds) { waiters.awaitAll() } shouldBe
                        List(1000) { it.toFloat() }
                    completer.join()
                }
            }
        }

        test("a failed computation surfaces as the core's exception naming the op") {
            val a =
                Scheduler.submit("my_op", null, arrayOf(), intArrayOf(2), DType.FLOAT32) { _, _, _
                    ->
                    throw IllegalStateException("boom")
                }
            val e = shouldThrow<EvaluationException> { eval(a) }
            e.op() shouldBe "my_op"
            e.message shouldContain "boom"
            val nan = Array.of(FloatArray(64) { if (it == 3) Float.NaN else 1f }, 1, 64)
            val quantizeFails =
                shouldThrow<EvaluationException> { eval(Jmlx.quantize(nan, 64, 4).packed()) }
            quantizeFails.op() shouldBe "quantize"
            eval(
                Jmlx.quantize(Array.zeros(DType.FLOAT32, 1, 64), 64, 4).packed()
            ) // later ops still run
        }

        test("cancelling a waiting coroutine stops at once and skips the pending op") {
            val stream = Stream.newStream(Device.cpu())
            val release = CountDownLatch(1)
            val blockerStarted = CountDownLatch(1)
            stream.executor().execute { // occupies the stream so that the next op stays pending
                blockerStarted.countDown()
                release.await(30, TimeUnit.SECONDS)
            }
            blockerStarted.await(30, TimeUnit.SECONDS)
            val ran = AtomicBoolean(false)
            val input = Array.of(floatArrayOf(1f, 2f), 2)
            val pending = Jmlx.astype(input, DType.FLOAT16, stream)
            val started = CompletableDeferred<Unit>()
            val job =
                launch(start = CoroutineStart.UNDISPATCHED) {
                    started.complete(Unit)
                    eval(pending)
                    ran.set(true)
                }
            started.await()
            withTimeout(5.seconds) {
                job.cancelAndJoin()
            } // returns although the stream is still blocked
            job.isCancelled shouldBe true
            ran.get() shouldBe false
            release.countDown()
            shouldThrow<CancellationException> { pending.data() }
            // The stream goes on with later work.
            Jmlx.astype(input, DType.FLOAT16, stream)
                .await()
                .toFloatArray()
                .toList() shouldContainExactly listOf(1f, 2f)
        }
    })
