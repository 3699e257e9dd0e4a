package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.Tensor
import io.jmlx.quant.QuantizedArray
import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.future.await
import kotlinx.coroutines.isActive

/**
 * Suspends until every array is computed, without blocking a thread (the core's `Jmlx.eval`, as a
 * suspending function). A failed computation is thrown as the core's [io.jmlx.EvaluationException],
 * naming the op.
 *
 * Cancelling the calling coroutine stops the wait at once and cancels the arrays' pending
 * computations: an op whose outputs are all cancelled before it starts is skipped, one already
 * running completes, and an array is never left half-written: it is either computed or cancelled
 * (reading it then throws [java.util.concurrent.CancellationException]).
 */
suspend fun eval(vararg arrays: Tensor) {
    val parts = arrays.flatMap { it.parts() }
    val futures = parts.map { it.dataFuture() }
    try {
        CompletableFuture.allOf(*futures.toTypedArray()).await()
    } catch (e: CancellationException) {
        if (!currentCoroutineContext().isActive) {
            futures.forEach { it.cancel(false) }
        }
        throw e
    } catch (failed: Exception) {
        parts.forEach {
            it.data()
        } // every future is done: this throws the core's exception for the first failure
        throw failed
    }
}

/**
 * Suspends until this array is computed and returns it; see [eval] for failures and cancellation.
 */
suspend fun <T : Tensor> T.await(): T {
    eval(this)
    return this
}

/**
 * The plain arrays a tensor is made of: itself, or a quantized array's packed codes, scales,
 * biases.
 */
internal fun Tensor.parts(): List<Array> =
    when (this) {
        is Array -> listOf(this)
        is QuantizedArray -> listOfNotNull(packed(), scales(), biases(), globalScale())
    }
