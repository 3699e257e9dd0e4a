package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.DType
import io.jmlx.Jmlx
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.flow.asFlow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList

/** Flows of evaluated arrays, in order, with prefetch, and successive outputs of a step. */
class FlowsSpec :
    FunSpec({
        timeout = 60_000

        test("evaluated emits computed arrays in order, with or without prefetch") {
            for (prefetch in listOf(0, 3)) {
                val out =
                    (1..10)
                        .asFlow()
                        .map { Jmlx.astype(Array.of(floatArrayOf(it.toFloat()), 1), DType.FLOAT16) }
                        .evaluated(prefetch)
                        .toList()
                out.all { it.isEvaluated } shouldBe true
                out.map { it.toFloatArray()[0] } shouldBe (1..10).map { it.toFloat() }
            }
        }

        test("a negative prefetch or step count is refused with its value") {
            val flow = (1..2).asFlow().map { Array.of(floatArrayOf(it.toFloat()), 1) }
            shouldThrow<IllegalArgumentException> { flow.evaluated(-1) }.message shouldBe
                "prefetch must be 0 or more but is -1"
            shouldThrow<IllegalArgumentException> {
                    iterate(Array.of(floatArrayOf(1f), 1), count = -3) { it }.toList()
                }
                .message shouldBe "count must be 0 or more but is -3"
            iterate(Array.of(floatArrayOf(1f), 1), count = 0) { it }.toList() shouldBe emptyList()
        }

        test("iterate feeds each output into the next step") {
            val doubling = Array.of(floatArrayOf(2f, 0f, 0f, 2f), 2, 2)
            val outputs =
                iterate(Array.of(floatArrayOf(1f, 3f), 1, 2)) { Jmlx.matmul(it, doubling) }
                    .take(4)
                    .toList()
            outputs.map { it.toFloatArray().toList() } shouldBe
                listOf(listOf(2f, 6f), listOf(4f, 12f), listOf(8f, 24f), listOf(16f, 48f))
        }
    })
