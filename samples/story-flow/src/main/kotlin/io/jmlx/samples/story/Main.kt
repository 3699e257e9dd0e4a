package io.jmlx.samples.story

import io.jmlx.io.model.ModelCheckpoint
import io.jmlx.kotlin.withDevice
import io.jmlx.models.llama.Llama
import io.jmlx.models.llama.TextTokenizer
import io.jmlx.models.llama.TokenWindows
import io.jmlx.samples.DeviceArgument
import java.nio.file.Files
import java.nio.file.Path
import java.util.Locale
import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking

/**
 * Tells the TinyStories story, token by token as the Flow emits them. Arguments: the model
 * directory (default `../shared/models/tinystories-260k`; a converted one works too), then
 * optionally the bits to quantize to (e.g. `4`); `--device gpu` runs the model (quantization,
 * forward passes, KV cache, sampling) on the GPU. With `--nll FILE` it tells no story but prints
 * the model's teacher-forced mean NLL on the text in FILE (documents separated by blank lines, each
 * after BOS, in windows of the model's context).
 */
fun main(args: Array<String>) = runBlocking {
    val options = DeviceArgument.of(*args)
    val rest = options.rest()
    val nllAt = rest.indexOf("--nll")
    val nllFile = if (nllAt >= 0) Path.of(rest.getOrElse(nllAt + 1) { usage() }) else null
    val positional = rest.filterIndexed { i, _ -> nllAt < 0 || (i != nllAt && i != nllAt + 1) }
    if (positional.any { it.startsWith("-") } || positional.size > 2) usage()
    val dir = Path.of(positional.getOrNull(0) ?: "../shared/models/tinystories-260k")
    if (!Files.isDirectory(dir)) {
        fail("no model directory at ${dir.toAbsolutePath()}; pass one as the first argument")
    }
    if (nllFile != null && !Files.isRegularFile(nllFile)) {
        fail("--nll: no text file at ${nllFile.toAbsolutePath()}")
    }
    val bits = positional.getOrNull(1)?.toInt()
    withDevice(options.device()) {
        ModelCheckpoint.open(dir).use { checkpoint ->
            val llama = Llama.load(checkpoint)
            bits?.let { llama.quantize(32, it) }
            val config = checkpoint.config()
            val tokenizer = TextTokenizer.forModel(dir, null, config)
            if (nllFile != null) {
                val context = config.path("max_position_embeddings").asInt(512)
                val windows = TokenWindows.of(tokenizer, Files.readString(nllFile), context)
                val loss = llama.loss(windows)
                println(
                    "mean NLL %.5f over %d tokens"
                        .format(Locale.ROOT, loss.meanNll(), loss.tokens())
                )
                return@use
            }
            var previous = BOS
            val start = System.nanoTime()
            var count = 0
            llama.tokens(intArrayOf(BOS), 200).collect { token ->
                System.out.write(tokenizer.bytes(previous, token))
                System.out.flush()
                previous = token
                count++
            }
            println()
            println(
                "($count tokens in %.2f s on %s)"
                    .format((System.nanoTime() - start) / 1e9, options.device().name())
            )
        }
    }
}

private const val BOS = 1

/** One line on stderr, exit status 1. */
private fun fail(message: String): Nothing {
    System.err.println("story-flow: $message")
    exitProcess(1)
}

private fun usage(): Nothing {
    System.err.println(
        "usage: ./sample story-flow [MODEL_DIR] [BITS] [--nll FILE] [--device cpu|gpu]"
    )
    exitProcess(2)
}
