package io.jmlx.kotlin

import io.jmlx.stream.Device
import io.jmlx.stream.Stream
import io.jmlx.stream.StreamOrDevice
import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ThreadContextElement
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.withContext

/**
 * A coroutine context element naming the stream that jmlx ops created in the coroutine run on, like
 * MLX's `with mx.stream(s)`. Whatever thread the coroutine resumes on, the stream is that thread's
 * default while the coroutine runs, and the thread's previous default is restored when it suspends
 * or ends.
 */
class StreamContext(val stream: Stream) :
    ThreadContextElement<Stream?>, AbstractCoroutineContextElement(Key) {
    /** The key of [StreamContext] in a coroutine context. */
    companion object Key : CoroutineContext.Key<StreamContext>

    override fun updateThreadContext(context: CoroutineContext): Stream? =
        Stream.setThreadDefault(stream)

    override fun restoreThreadContext(context: CoroutineContext, oldState: Stream?) {
        Stream.setThreadDefault(oldState)
    }

    override fun toString(): String = "StreamContext($stream)"
}

/**
 * Runs [block] with ops on [stream] (a stream, or a device's default stream) and returns its
 * result. Scopes nest: the inner one wins inside it, and the outer one is back after it.
 */
suspend fun <T> withStream(stream: StreamOrDevice, block: suspend CoroutineScope.() -> T): T =
    withContext(StreamContext(stream.stream()), block)

/** Runs [block] with ops on [device]'s default stream; see [withStream]. */
suspend fun <T> withDevice(device: Device, block: suspend CoroutineScope.() -> T): T =
    withStream(device.defaultStream(), block)

/**
 * The stream ops created here run on: the innermost [withStream], else the thread's or the CPU's
 * default.
 */
suspend fun currentStream(): Stream =
    currentCoroutineContext()[StreamContext]?.stream ?: Stream.defaultStream()
