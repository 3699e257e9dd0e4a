package io.jmlx.samples.android

import io.jmlx.Array
import io.jmlx.io.model.ModelCheckpoint
import io.jmlx.kotlin.StreamContext
import io.jmlx.models.bert.BertEmbedder
import io.jmlx.models.bert.EncoderModel
import io.jmlx.models.bert.SentenceEmbedder
import io.jmlx.quant.QuantizationSettings
import io.jmlx.samples.Sentences
import io.jmlx.samples.android.data.EmbeddingRepository
import io.jmlx.samples.android.ui.SearchViewModel
import io.jmlx.samples.bert.QualitySweep
import io.jmlx.stream.Device
import java.nio.file.Files
import java.nio.file.Path
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob

/**
 * Manual dependency injection, as small Android apps do it: one place that builds the repository
 * and the presenter. The model is the 4-bit MiniLM in MLX's layout under [cacheDir]; the first
 * start makes it from the ONNX file shipped in the Maven Central jar, later starts load it directly
 * (memory-mapped). It runs on [device] (the CPU by default; a GPU reads the mapped weights once).
 */
class AppContainer(private val cacheDir: Path, private val device: Device = Device.cpu()) {
    private var checkpoint: ModelCheckpoint? = null

    /** The repository of the 4-bit encoder, running its model on the device's default stream. */
    fun repository(): EmbeddingRepository =
        EmbeddingRepository(Dispatchers.IO + StreamContext(device.defaultStream()), ::loadModel)

    /** The presenter of the search screen over the built-in sentences, on its own scope. */
    fun searchViewModel(): SearchViewModel =
        SearchViewModel(
            repository(),
            Sentences.all(),
            CoroutineScope(SupervisorJob() + Dispatchers.Default),
        )

    /** Opens (making it first if needed) the 4-bit model; returns it with its weight bytes. */
    private fun loadModel(): Pair<SentenceEmbedder, Long> {
        val dir = cacheDir.resolve("minilm-4bit")
        if (!Files.exists(dir.resolve("config.json"))) {
            ModelCheckpoint.open(EncoderModel.MINILM.onnxFile(cacheDir)).use { onnx ->
                QualitySweep.saveQuantized(
                    EncoderModel.MINILM,
                    onnx,
                    QuantizationSettings.resolve(64, 4, "affine"),
                    dir,
                )
            }
        }
        val ckpt = ModelCheckpoint.open(dir)
        checkpoint?.close()
        checkpoint = ckpt
        val embedder = BertEmbedder.load(EncoderModel.MINILM, ckpt)
        return embedder to embedder.model().parameters().values.sumOf(Array::nbytes)
    }
}
