package io.jmlx.samples.story

import com.fasterxml.jackson.databind.ObjectMapper
import io.jmlx.io.model.ModelCheckpoint
import io.jmlx.models.llama.Llama
import io.jmlx.models.llama.Llama2cTokenizer
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList

/**
 * The TinyStories Flow emits llama2.c's reference story, token for token and byte for byte, and
 * stops on demand.
 */
class StoryFlowSpec :
    FunSpec({
        val dir = sharedModel()
        val expected = ObjectMapper().readTree(dir.resolve("expected.json").toFile())
        val ids = expected["expected_token_ids"].map { it.asInt() }

        test(
            "the float32 flow emits the 200 reference tokens, which decode to the reference text"
        ) {
            ModelCheckpoint.open(dir).use { ckpt ->
                val llama = Llama.load(ckpt)
                val tokens = llama.tokens(intArrayOf(1), 200).toList()
                tokens shouldBe ids
                val tokenizer =
                    Files.newInputStream(dir.resolve("tokenizer.bin")).use {
                        Llama2cTokenizer.read(it, llama.config().vocabSize(), 1)
                    }
                tokenizer.decode(tokens.toIntArray()) shouldBe expected["expected_text"].asText()
            }
        }

        test("take(5) stops generation after five tokens") {
            ModelCheckpoint.open(dir).use { ckpt ->
                val llama = Llama.load(ckpt)
                val cache = llama.newCache()
                llama.tokens(intArrayOf(1), 200, cache).take(5).toList() shouldBe ids.take(5)
                // The prompt and the first four tokens went through the model; a sixth token would
                // have fed the fifth (and the whole story, 200).
                for (layer in 0 until llama.config().numLayers()) {
                    cache.offset(layer) shouldBe 5
                }
            }
        }
    })

/** `shared/models/tinystories-260k`, found by walking up from the working directory. */
internal fun sharedModel(): Path {
    var d: Path? = Path.of("").toAbsolutePath()
    while (d != null) {
        val candidate = d.resolve("shared/models/tinystories-260k")
        if (Files.isDirectory(candidate)) return candidate
        d = d.parent
    }
    error(
        "Cannot find shared/models/tinystories-260k above ${Path.of("").toAbsolutePath()}: the tests expect the " +
            "shared data at ../shared from the repository root"
    )
}
