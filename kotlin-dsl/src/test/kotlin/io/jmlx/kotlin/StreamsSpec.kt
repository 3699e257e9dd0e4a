package io.jmlx.kotlin

import io.jmlx.stream.Device
import io.jmlx.stream.Stream
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield

/**
 * `withStream` / `withDevice` put a stream into the coroutine context, across threads, and nest.
 */
class StreamsSpec :
    FunSpec({
        timeout = 60_000

        test("ops inside withStream use its stream, on whatever thread the coroutine resumes") {
            val s = Stream.newStream(Device.cpu())
            withStream(s) {
                currentStream() shouldBe s
                Stream.defaultStream() shouldBe s
                withContext(Dispatchers.Default) {
                    delay(1)
                    Stream.defaultStream() shouldBe s
                }
                Stream.defaultStream() shouldBe s
            }
            currentStream() shouldBe Stream.defaultStream()
        }

        test("scopes nest and restore the outer stream; the thread's default comes back after") {
            val before = Stream.threadDefault()
            val outer = Stream.newStream(Device.cpu())
            val inner = Stream.newStream(Device.cpu())
            withStream(outer) {
                withStream(inner) {
                    yield()
                    Stream.defaultStream() shouldBe inner
                }
                Stream.defaultStream() shouldBe outer
                withDevice(Device.cpu()) {
                    Stream.defaultStream() shouldBe Device.cpu().defaultStream()
                }
                Stream.defaultStream() shouldBe outer
            }
            Stream.threadDefault() shouldBe before
        }

        test("sibling coroutines on one thread keep their own streams") {
            val streams = List(8) { Stream.newStream(Device.cpu()) }
            withContext(Dispatchers.Default.limitedParallelism(1)) {
                coroutineScope {
                    streams
                        .map { s ->
                            async {
                                withStream(s) {
                                    repeat(20) {
                                        yield()
                                        Stream.defaultStream() shouldBe s
                                    }
                                }
                            }
                        }
                        .awaitAll()
                }
            }
        }
    })
