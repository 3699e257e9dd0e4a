package io.jmlx.samples.android.data

import io.jmlx.models.bert.SentenceEmbedder
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.withContext

/** What loading the model cost, shown by the UI. */
data class LoadReport(val millis: Long, val modelBytes: Long, val heapBytes: Long)

/**
 * The data layer: loads the quantized sentence encoder (through [loader], which may convert and
 * cache it first) and embeds text, always off the caller's thread on [io] as an Android repository
 * would ([io] may also name the jmlx stream or device the model runs on, e.g. with
 * `StreamContext`).
 */
class EmbeddingRepository(
    private val io: CoroutineContext,
    private val loader: () -> Pair<SentenceEmbedder, Long>,
) {
    private var embedder: SentenceEmbedder? = null

    /** Loads the model once; later calls return at once with the first report. */
    suspend fun load(): LoadReport =
        withContext(io) {
            val start = System.nanoTime()
            val (model, bytes) = loader()
            embedder = model
            val runtime = Runtime.getRuntime()
            LoadReport(
                (System.nanoTime() - start) / 1_000_000,
                bytes,
                runtime.totalMemory() - runtime.freeMemory(),
            )
        }

    /** The normalised embeddings of [sentences]. */
    suspend fun embed(sentences: List<String>): List<FloatArray> =
        withContext(io) {
            val model = checkNotNull(embedder) { "load() the model first" }
            model.embed(sentences)
        }
}
