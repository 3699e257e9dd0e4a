package io.jmlx.samples.story

import io.jmlx.kotlin.await
import io.jmlx.models.llama.KvCache
import io.jmlx.models.llama.Llama
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * Greedy generation as a cold [Flow]: collecting it runs the prompt, then emits each token as soon
 * as it is chosen (suspending on the model's computation, never blocking the collector's thread).
 * Cancel the collector, or `take(n)`, and generation stops after the current token. The keys and
 * values go to [cache], a new one for each collection by default; pass one to see how far the model
 * ran (its offset counts the tokens fed in), and collect such a flow once.
 */
fun Llama.tokens(prompt: IntArray, maxTokens: Int, cache: KvCache? = null): Flow<Int> = flow {
    require(prompt.isNotEmpty()) { "generation needs a prompt of at least one token (e.g. BOS)" }
    require(maxTokens >= 0) { "maxTokens must be >= 0 but is $maxTokens" }
    val cache = cache ?: newCache()
    var pending = prompt
    repeat(maxTokens) {
        val token = nextToken(pending, cache).await().toIntArray()[0]
        emit(token)
        pending = intArrayOf(token)
    }
}
