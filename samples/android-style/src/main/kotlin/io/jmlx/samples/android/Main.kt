package io.jmlx.samples.android

import io.jmlx.samples.DeviceArgument
import io.jmlx.samples.android.ui.SearchUiState
import io.jmlx.samples.android.ui.TerminalSearchScreen
import java.nio.file.Path
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking

/**
 * The app's entry point (an Activity's `onCreate` on a device): wires the container, shows the
 * screen, then reads queries from standard input until an empty line. Arguments: an optional cache
 * directory, then optional queries to run instead of reading standard input; `--device gpu` runs
 * the model on the GPU.
 */
fun main(arguments: Array<String>) = runBlocking {
    val options = DeviceArgument.of(*arguments)
    val args = options.rest()
    val cache =
        Path.of(args.firstOrNull() ?: System.getProperty("java.io.tmpdir")).resolve("jmlx-search")
    val viewModel = AppContainer(cache, options.device()).searchViewModel()
    val screen = TerminalSearchScreen(System.out)
    val ui = launch { screen.render(viewModel) }
    viewModel.start().join()
    val queries =
        if (args.size > 1) args.drop(1).asSequence()
        else
            generateSequence {
                print("search> ")
                readlnOrNull()?.takeIf { it.isNotBlank() }
            }
    for (q in queries) {
        viewModel.search(q).join()
        viewModel.uiState.first { it is SearchUiState.Results || it is SearchUiState.Error }
    }
    ui.cancel()
    viewModel.clear()
}
