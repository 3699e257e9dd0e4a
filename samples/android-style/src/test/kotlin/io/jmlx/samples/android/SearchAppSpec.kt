package io.jmlx.samples.android

import io.jmlx.kernels.KernelProvider
import io.jmlx.samples.Sentences
import io.jmlx.samples.android.ui.SearchUiState
import io.jmlx.samples.android.ui.SearchViewModel
import io.jmlx.samples.android.ui.TerminalSearchScreen
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.file.Files
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.first

/**
 * The Android-style app end to end on the JVM fallback, as on a device without the Vector API: this
 * module's tests run without `jdk.incubator.vector`, so jmlx uses its scalar kernels. The
 * presenter's StateFlow goes from loading to ready, and a query finds the sentence that means the
 * same thing.
 */
class SearchAppSpec :
    FunSpec({
        timeout = 600_000

        test("the scalar kernels run, as on a device") {
            KernelProvider.get().name() shouldBe "scalar"
        }

        test("load, index and search through the presenter's StateFlow") {
            val cache = Files.createTempDirectory("jmlx-search-test")
            val container = AppContainer(cache)
            val sentences =
                Sentences.all().filter { it.length < 80 }.take(60) +
                    "Bake the cake at 180 °C for 35 minutes."
            val viewModel =
                SearchViewModel(
                    container.repository(),
                    sentences,
                    CoroutineScope(SupervisorJob() + Dispatchers.Default),
                )
            viewModel.start().join()
            val ready = viewModel.uiState.value.shouldBeInstanceOf<SearchUiState.Ready>()
            ready.indexed shouldBe sentences.size
            (ready.modelBytes < 20_000_000) shouldBe true

            viewModel.search("how long should a cake stay in the oven?").join()
            val results =
                viewModel.uiState
                    .first { it is SearchUiState.Results }
                    .shouldBeInstanceOf<SearchUiState.Results>()
            results.hits.first().sentence shouldContain "cake"

            val text = ByteArrayOutputStream()
            TerminalSearchScreen(PrintStream(text, true)).show(results)
            text.toString() shouldContain "1. "
            viewModel.clear()
        }
    })
