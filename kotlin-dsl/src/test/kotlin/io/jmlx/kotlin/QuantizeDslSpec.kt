package io.jmlx.kotlin

import io.jmlx.DType
import io.jmlx.nn.Embedding
import io.jmlx.nn.Linear
import io.jmlx.nn.QuantizedEmbedding
import io.jmlx.nn.QuantizedLinear
import io.jmlx.nn.Sequential
import io.jmlx.quant.QuantizationMode
import io.jmlx.quant.QuantizationSettings
import io.jmlx.quant.method.QuantizationMethod
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs

/** The quantize DSL on a small model: boolean predicates, the default, per-layer specs, errors. */
class QuantizeDslSpec :
    FunSpec({
        fun model() = Sequential(Embedding(32, 128), Linear(128, 128), Linear(128, 64, false))

        test("a boolean predicate picks layers; the call's settings apply") {
            val m = model()
            val done = m.quantize(bits = 8, groupSize = 32) { _, layer -> layer is Linear }
            m.leafModules()["layers.0"].shouldBeInstanceOf<Embedding>()
            val q = m.leafModules()["layers.1"].shouldBeInstanceOf<QuantizedLinear>()
            q.settings() shouldBe QuantizationSettings(32, 8, QuantizationMode.AFFINE)
            done.layers().keys shouldBe setOf("layers.1", "layers.2")
        }

        test("without a predicate every quantizable layer gets MLX's defaults") {
            val m = model()
            m.quantize()
            m.leafModules().values.forEach { layer ->
                val settings =
                    when (layer) {
                        is QuantizedLinear -> layer.settings()
                        is QuantizedEmbedding -> layer.settings()
                        else -> error("not quantized: $layer")
                    }
                settings shouldBe QuantizationSettings(64, 4, QuantizationMode.AFFINE)
            }
        }

        test("a per-layer spec sets each layer's settings and null skips it") {
            val m = model()
            val done =
                m.quantize(bits = 4) { path, _ ->
                    when (path) {
                        "layers.0" -> LayerSpec(bits = 8, groupSize = 32)
                        "layers.1" -> LayerSpec(mode = QuantizationMode.MXFP4)
                        else -> null
                    }
                }
            done.layers() shouldBe
                mapOf(
                    "layers.0" to QuantizationSettings(32, 8, QuantizationMode.AFFINE),
                    "layers.1" to QuantizationSettings(32, 4, QuantizationMode.MXFP4),
                )
            m.leafModules()["layers.2"].shouldBeInstanceOf<Linear>()
            val x = zeros(2, 128) + 0.5f
            (m.leafModules()["layers.1"] as QuantizedLinear).forward(x).dtype shouldBe DType.FLOAT32
        }

        test("an invalid setting throws MLX's message and leaves the model untouched") {
            val m = model()
            val before = m.leafModules()
            val e =
                shouldThrow<IllegalArgumentException> {
                    m.quantize { path, _ ->
                        if (path == "layers.2") LayerSpec(bits = 7) else LayerSpec()
                    }
                }
            e.message shouldContain "The requested number of bits 7 is not supported"
            e.message shouldContain "(layer 'layers.2')"
            before.forEach { (path, layer) -> m.leafModules()[path] shouldBeSameInstanceAs layer }
        }

        test("a method and a budget: mse writes MLX's layout; a budget plans per-layer settings") {
            val rtn = model()
            val mse = model()
            rtn.quantize(bits = 3, groupSize = 32) { _, layer -> layer is Linear }
            mse.quantize(bits = 3, groupSize = 32, method = QuantizationMethod.MSE) { _, layer ->
                layer is Linear
            }
            val a = rtn.leafModules()["layers.1"].shouldBeInstanceOf<QuantizedLinear>()
            val b = mse.leafModules()["layers.1"].shouldBeInstanceOf<QuantizedLinear>()
            b.settings() shouldBe a.settings()
            b.scales().shape.toList() shouldBe a.scales().shape.toList()
            b.biases().dtype shouldBe a.biases().dtype

            val budget = model()
            val done = budget.quantizeToBudget(3.5) { _, layer -> layer is Linear }
            done.layers().keys shouldBe setOf("layers.1", "layers.2")
            val sizes = mapOf("layers.1" to 128 * 128, "layers.2" to 64 * 128)
            val bits =
                done.layers().entries.sumOf { (path, s) ->
                    (s.bits() + 64.0 / s.groupSize()) * sizes.getValue(path)
                } / sizes.values.sum()
            (bits <= 3.5) shouldBe true
        }

        test("a calibrated method without calibration is refused") {
            val e =
                shouldThrow<IllegalArgumentException> {
                    model().quantize(method = QuantizationMethod.GPTQ) { _, layer ->
                        layer is Linear
                    }
                }
            e.message shouldContain "needs calibration inputs"
        }
    })
