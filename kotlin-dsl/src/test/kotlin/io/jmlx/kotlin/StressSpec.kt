package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.DType
import io.jmlx.Jmlx
import io.jmlx.stream.Device
import io.jmlx.stream.Stream
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.withContext

/**
 * Several streams × thousands of ops from many coroutines: every result equals the same chain
 * computed alone, and nothing deadlocks (the spec's timeout bounds it).
 */
class StressSpec :
    FunSpec({
        timeout = 120_000

        /** A chain of conversions and products on one small matrix; deterministic for a seed. */
        fun chain(seed: Int, steps: Int): Array {
            val w = Array.of(FloatArray(16) { ((it * 7 + seed) % 11 - 5) / 8f }, 4, 4)
            var x = Array.of(FloatArray(4) { (seed + it) / 4f }, 1, 4)
            repeat(steps) { i ->
                x = Jmlx.matmul(x, w)
                x =
                    Jmlx.astype(
                        Jmlx.astype(x, if (i % 2 == 0) DType.FLOAT16 else DType.BFLOAT16),
                        DType.FLOAT32,
                    )
            }
            return x
        }

        test("64 coroutines on 4 streams, 3000+ ops each way, agree with the ops run alone") {
            val expected = (0 until 64).map { chain(it, 25).toFloatArray().toList() }
            val streams = List(4) { Stream.newStream(Device.cpu()) }
            val results =
                withContext(Dispatchers.Default) {
                    coroutineScope {
                        (0 until 64)
                            .map { c ->
                                async {
                                    withStream(streams[c % streams.size]) {
                                        chain(c, 25).await().toFloatArray().toList()
                                    }
                                }
                            }
                            .awaitAll()
                    }
                }
            results shouldBe expected
        }
    })
