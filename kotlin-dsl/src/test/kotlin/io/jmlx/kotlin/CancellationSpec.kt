package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.DType
import io.jmlx.Jmlx
import io.jmlx.nn.Linear
import io.jmlx.nn.QuantizedLinear
import io.jmlx.ops.Scheduler
import io.jmlx.stream.Device
import io.jmlx.stream.Stream
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import java.lang.foreign.ValueLayout
import java.util.concurrent.CancellationException
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

/**
 * Cancellation of work in progress (a running op, a prefetching [evaluated] flow, [iterate]) and
 * one quantized layer shared by coroutines on several streams.
 */
class CancellationSpec :
    FunSpec({
        timeout = 120_000

        /** A stream whose thread is held until the returned latch is released. */
        fun blockedStream(): Pair<Stream, CountDownLatch> {
            val stream = Stream.newStream(Device.cpu())
            val release = CountDownLatch(1)
            val holding = CountDownLatch(1)
            stream.executor().execute {
                holding.countDown()
                release.await(60, TimeUnit.SECONDS)
            }
            holding.await(30, TimeUnit.SECONDS)
            return stream to release
        }

        val input = Array.of(floatArrayOf(1f, 2f), 2)

        test("cancelling a coroutine that waits on a running op returns at once; the op finishes") {
            val stream = Stream.newStream(Device.cpu())
            val running = CountDownLatch(1)
            val release = CountDownLatch(1)
            val finished = AtomicBoolean(false)
            val op =
                Scheduler.submit("running", stream, arrayOf(), intArrayOf(1), DType.FLOAT32) {
                    _,
                    _,
                    out ->
                    running.countDown()
                    release.await(60, TimeUnit.SECONDS)
                    out[0].set(ValueLayout.JAVA_FLOAT, 0, 42f)
                    finished.set(true)
                }
            val job = launch(Dispatchers.Default) { eval(op) }
            running.await(30, TimeUnit.SECONDS) shouldBe true
            withTimeout(5.seconds) { job.cancelAndJoin() } // while the op is still running
            job.isCancelled shouldBe true
            finished.get() shouldBe false
            release.countDown()
            // The op runs to its end; its array was cancelled by the waiter, never left
            // half-written.
            shouldThrow<CancellationException> { op.data() }
            Jmlx.astype(input, DType.FLOAT16, stream).await().toFloatArray().toList() shouldBe
                listOf(1f, 2f)
            finished.get() shouldBe true
        }

        test("cancelling the collector of a prefetching evaluated flow stops it and its upstream") {
            val (stream, release) = blockedStream()
            val produced = AtomicInteger()
            val collected = AtomicInteger()
            val arrays = mutableListOf<Array>()
            val upstream = flow {
                while (true) {
                    val a = Jmlx.astype(input, DType.FLOAT16, stream)
                    synchronized(arrays) { arrays.add(a) }
                    emit(a)
                }
            }
            val job =
                launch(Dispatchers.Default) {
                    upstream
                        .onEach { produced.incrementAndGet() }
                        .evaluated(prefetch = 3)
                        .collect { collected.incrementAndGet() }
                }
            // The upstream fills the prefetch buffer, then waits: nothing is computed yet.
            withTimeout(10.seconds) { while (produced.get() < 3) kotlinx.coroutines.delay(5) }
            withTimeout(5.seconds) { job.cancelAndJoin() }
            val atCancel = produced.get()
            release.countDown()
            Thread.sleep(200)
            produced.get() shouldBe atCancel // the upstream stopped with the collector
            atCancel shouldBeLessThanOrEqual 3 + 2 // the buffer, the one awaited, one in hand
            collected.get() shouldBe 0
            // The array the collector was waiting for is cancelled; the stream goes on.
            shouldThrow<CancellationException> { synchronized(arrays) { arrays.first() }.data() }
            Jmlx.astype(input, DType.FLOAT16, stream).await().toFloatArray().toList() shouldBe
                listOf(1f, 2f)
        }

        test("cancelling iterate stops its steps and cancels the step it waits for") {
            val (stream, release) = blockedStream()
            val steps = AtomicInteger()
            val started = CountDownLatch(1)
            var waitedFor: Array? = null
            val job =
                launch(Dispatchers.Default) {
                    iterate(input) { x ->
                            steps.incrementAndGet()
                            Jmlx.add(x, x, stream).also {
                                waitedFor = it
                                started.countDown()
                            }
                        }
                        .collect {}
                }
            started.await(30, TimeUnit.SECONDS) shouldBe true
            withTimeout(5.seconds) { job.cancelAndJoin() }
            release.countDown()
            Thread.sleep(200)
            steps.get() shouldBe 1
            shouldThrow<CancellationException> { waitedFor!!.data() }
        }

        test("one QuantizedLinear shared by 32 coroutines on 4 streams gives each its own result") {
            val dense = Linear(256, 64)
            val layer = QuantizedLinear.fromLinear(dense, 64, 4, "affine")
            val inputs =
                List(32) { c ->
                    Array.of(FloatArray(3 * 256) { ((it * 31 + c * 7) % 17 - 8) / 8f }, 3, 256)
                }
            val expected = inputs.map { layer.forward(it).toFloatArray().toList() }
            val streams = List(4) { Stream.newStream(Device.cpu()) }
            val results =
                withContext(Dispatchers.Default) {
                    coroutineScope {
                        inputs
                            .mapIndexed { c, x ->
                                async {
                                    withStream(streams[c % streams.size]) {
                                        layer.forward(x).await().toFloatArray().toList()
                                    }
                                }
                            }
                            .awaitAll()
                    }
                }
            results shouldBe expected
        }
    })
