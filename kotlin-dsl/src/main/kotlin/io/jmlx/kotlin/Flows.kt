package io.jmlx.kotlin

import io.jmlx.Tensor
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.map

/**
 * Emits each array of this flow once it is computed (suspending, never blocking, while it is not).
 * With [prefetch] > 0 the upstream runs ahead by that many arrays, so their ops compute while the
 * collector works on earlier ones; order is kept.
 */
fun <T : Tensor> Flow<T>.evaluated(prefetch: Int = 0): Flow<T> {
    require(prefetch >= 0) { "prefetch must be 0 or more but is $prefetch" }
    val upstream = if (prefetch > 0) buffer(prefetch) else this
    return upstream.map { it.await() }
}

/**
 * The successive outputs of [step] applied to [initial], each emitted once computed:
 * `step(initial)`, `step(step(initial))`, … for [count] steps (unbounded when `null`; take what you
 * need with [kotlinx.coroutines.flow.take]). The shape of a generation loop: each output feeds the
 * next step.
 */
fun <T : Tensor> iterate(initial: T, count: Int? = null, step: suspend (T) -> T): Flow<T> = flow {
    require(count == null || count >= 0) { "count must be 0 or more but is $count" }
    var current = initial
    var done = 0
    while (count == null || done < count) {
        current = step(current).await()
        emit(current)
        done++
    }
}
