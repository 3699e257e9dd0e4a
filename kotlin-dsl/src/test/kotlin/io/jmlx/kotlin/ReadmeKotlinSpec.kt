package io.jmlx.kotlin

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.nio.file.Path

/**
 * The README's Kotlin example is [ReadmeExample.run] word for word: this spec runs it (so it
 * compiles and works) and checks that the README shows exactly that code.
 */
class ReadmeKotlinSpec :
    FunSpec({
        test("the README's Kotlin example runs") {
            val logits = ReadmeExample.run()
            logits.shape.toList() shouldBe listOf(3, 1000)
        }

        test("the README shows the example's code") {
            fun block(text: String, begin: String, end: String) =
                text.substringAfter(begin).substringBefore(end).trimIndent().trim()
            val readme = Files.readString(findUp("README.md"))
            val source =
                Files.readString(
                    findUp("kotlin-dsl/src/test/kotlin/io/jmlx/kotlin/ReadmeExample.kt")
                )
            block(readme, "```kotlin\n", "\n```") shouldBe
                block(source, "// README begin\n", "// README end")
        }
    })

private fun findUp(relative: String): Path {
    var dir: Path? = Path.of("").toAbsolutePath()
    while (dir != null) {
        val candidate = dir.resolve(relative)
        if (Files.exists(candidate)) return candidate
        dir = dir.parent
    }
    error("$relative not found above ${Path.of("").toAbsolutePath()}")
}
