package io.jmlx.samples.android.ui

import io.jmlx.samples.android.data.EmbeddingRepository
import io.jmlx.samples.android.domain.SearchIndex
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/**
 * The presenter, shaped like an Android `ViewModel`: it owns a coroutine scope (cancelled by
 * [clear], as `viewModelScope` is when the screen goes away), exposes the screen's state as a
 * [StateFlow], and turns user actions into work on the repository.
 */
class SearchViewModel(
    private val repository: EmbeddingRepository,
    private val sentences: List<String>,
    private val scope: CoroutineScope,
) {
    private val state = MutableStateFlow<SearchUiState>(SearchUiState.Loading("starting"))
    private var index: SearchIndex? = null
    private var pending: Job? = null

    /** The screen's state. */
    val uiState: StateFlow<SearchUiState> = state.asStateFlow()

    /** Loads the model and embeds the built-in sentences. */
    fun start(): Job =
        scope.launch {
            try {
                state.value = SearchUiState.Loading("loading the 4-bit model")
                val report = repository.load()
                state.value = SearchUiState.Loading("indexing ${sentences.size} sentences")
                index = SearchIndex(sentences, repository.embed(sentences))
                state.value =
                    SearchUiState.Ready(
                        sentences.size,
                        report.millis,
                        report.modelBytes,
                        report.heapBytes,
                    )
            } catch (e: Exception) {
                state.value = SearchUiState.Error("loading failed: ${e.message}")
            }
        }

    /** Searches for [query]; a newer query cancels one still running. */
    fun search(query: String): Job {
        pending?.cancel()
        return scope
            .launch {
                val ready =
                    index
                        ?: run {
                            state.value = SearchUiState.Error("not ready yet")
                            return@launch
                        }
                val start = System.nanoTime()
                val vector = repository.embed(listOf(query)).single()
                val hits = ready.search(vector)
                state.value =
                    SearchUiState.Results(query, hits, (System.nanoTime() - start) / 1_000_000)
            }
            .also { pending = it }
    }

    /** Ends the presenter's work, as `onCleared` does. */
    fun clear() {
        scope.cancel()
    }
}
