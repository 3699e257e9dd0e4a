package io.jmlx.samples.android.ui

import io.jmlx.samples.android.domain.Hit

/** What the search screen shows; the presenter exposes it as a `StateFlow`. */
sealed interface SearchUiState {
    /** The model and index are being prepared. */
    data class Loading(val step: String) : SearchUiState

    /** Ready for queries. */
    data class Ready(
        val indexed: Int,
        val loadMillis: Long,
        val modelBytes: Long,
        val heapBytes: Long,
    ) : SearchUiState

    /** A query's best matches and how long it took. */
    data class Results(val query: String, val hits: List<Hit>, val latencyMillis: Long) :
        SearchUiState

    /** Something failed; the message says what. */
    data class Error(val message: String) : SearchUiState
}
