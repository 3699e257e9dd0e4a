package io.jmlx.samples.android.ui

import java.io.PrintStream
import java.util.Locale
import kotlinx.coroutines.flow.collect

/**
 * The UI layer, with a terminal standing in for Android views: it renders every state the presenter
 * emits. On a device this would be a Compose screen collecting the same `StateFlow`.
 */
class TerminalSearchScreen(private val out: PrintStream) {
    /** Renders states until the collecting coroutine is cancelled. */
    suspend fun render(viewModel: SearchViewModel) {
        viewModel.uiState.collect { show(it) }
    }

    /** One state as text. */
    fun show(state: SearchUiState) {
        when (state) {
            is SearchUiState.Loading -> out.println("… ${state.step}")
            is SearchUiState.Ready ->
                out.println(
                    String.format(
                        Locale.ROOT,
                        "ready: %d sentences, model loaded in %d ms, %.1f MB of weights, %.1f MB of Java heap in use",
                        state.indexed,
                        state.loadMillis,
                        state.modelBytes / 1e6,
                        state.heapBytes / 1e6,
                    )
                )
            is SearchUiState.Results -> {
                out.println("\"${state.query}\" (${state.latencyMillis} ms):")
                state.hits.forEachIndexed { i, h ->
                    out.println(
                        String.format(Locale.ROOT, "  %d. %.3f  %s", i + 1, h.score, h.sentence)
                    )
                }
            }
            is SearchUiState.Error -> out.println("error: ${state.message}")
        }
    }
}
