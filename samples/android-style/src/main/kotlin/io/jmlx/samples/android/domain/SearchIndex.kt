package io.jmlx.samples.android.domain

/** One search result: the sentence and its cosine similarity to the query. */
data class Hit(val sentence: String, val score: Float)

/**
 * Sentences with their normalised embeddings; a query vector is scored against all of them (dot
 * product = cosine similarity) and the best are returned. Plain Kotlin, no jmlx types: the domain
 * layer of the app.
 */
class SearchIndex(private val sentences: List<String>, private val vectors: List<FloatArray>) {
    init {
        require(sentences.size == vectors.size) {
            "${sentences.size} sentences but ${vectors.size} vectors"
        }
    }

    /** The number of indexed sentences. */
    val size: Int
        get() = sentences.size

    /** The [k] sentences most similar to [query], best first. */
    fun search(query: FloatArray, k: Int = 5): List<Hit> =
        sentences.indices
            .map { i -> Hit(sentences[i], dot(query, vectors[i])) }
            .sortedByDescending { it.score }
            .take(k)

    private fun dot(a: FloatArray, b: FloatArray): Float {
        require(a.size == b.size) { "vectors of ${a.size} and ${b.size} dimensions" }
        var s = 0f
        for (i in a.indices) s += a[i] * b[i]
        return s
    }
}
