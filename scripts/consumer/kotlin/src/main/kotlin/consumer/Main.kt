package consumer

import io.jmlx.kotlin.await
import io.jmlx.kotlin.quantize
import io.jmlx.kotlin.shape
import io.jmlx.nn.Linear
import io.jmlx.nn.QuantizedLinear
import io.jmlx.nn.Sequential
import io.jmlx.Array as JArray
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking

/** The Kotlin DSL from a project outside jmlx's build: quantize a model with a predicate, run it, await it. */
fun main() {
    val model = Sequential(Linear(64, 128), Linear(128, 8))
    val done = model.quantize(bits = 4) { _, m -> m is Linear }
    val leaves = model.leafModules().values
    if (done.layers().size != 2 || leaves.any { it !is QuantizedLinear }) {
        System.err.println("kotlin consumer: FAILED: both layers should be quantized: $leaves")
        exitProcess(1)
    }
    val y = runBlocking { model.forward(JArray.of(FloatArray(64) { 0.5f }, 1, 64)).await() }
    if (!y.shape.contentEquals(intArrayOf(1, 8)) || y.toFloatArray().any { it.isNaN() }) {
        System.err.println("kotlin consumer: FAILED: output ${y.shape.toList()}")
        exitProcess(1)
    }
    println("kotlin consumer: ok (DSL quantize, forward, await)")
}
