package io.jmlx.samples.story

import io.jmlx.io.model.ModelCheckpoint
import io.jmlx.models.llama.Llama
import io.jmlx.models.llama.Llama2cTokenizer
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.runBlocking

/**
 * Tells the TinyStories story, token by token as the Flow emits them. Arguments: the model
 * directory (default `../shared/models/tinystories-260k`), then optionally the bits to quantize to
 * (e.g. `4`).
 */
fun main(args: Array<String>) = runBlocking {
    val dir = Path.of(args.getOrNull(0) ?: "../shared/models/tinystories-260k")
    require(Files.isDirectory(dir)) {
        "no model directory at ${dir.toAbsolutePath()}; pass one as the first argument"
    }
    ModelCheckpoint.open(dir).use { checkpoint ->
        val llama = Llama.load(checkpoint)
        args.getOrNull(1)?.let { bits -> llama.quantize(32, bits.toInt()) }
        val tokenizer =
            Files.newInputStream(dir.resolve("tokenizer.bin")).use {
                Llama2cTokenizer.read(it, llama.config().vocabSize(), BOS)
            }
        var previous = BOS
        val start = System.nanoTime()
        var count = 0
        llama.tokens(intArrayOf(BOS), 200).collect { token ->
            System.out.write(tokenizer.piece(previous, token))
            System.out.flush()
            previous = token
            count++
        }
        println()
        println("($count tokens in %.2f s)".format((System.nanoTime() - start) / 1e9))
    }
}

private const val BOS = 1
