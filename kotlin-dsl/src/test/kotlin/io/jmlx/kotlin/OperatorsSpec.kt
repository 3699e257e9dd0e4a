package io.jmlx.kotlin

import io.jmlx.DType
import io.jmlx.Jmlx
import io.jmlx.quant.QuantizedArray
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

/**
 * Operators and builders: the same arrays as the core's calls, dense and quantized operands alike.
 */
class OperatorsSpec :
    FunSpec({
        val a = array(1f, 2f, 3f, 4f, 5f, 6f, shape = shape(2, 3))
        val row = array(10f, 20f, 30f)

        test("arithmetic broadcasts like the core and numbers take the array's dtype") {
            (a + row).toFloatList() shouldBe listOf(11f, 22f, 33f, 14f, 25f, 36f)
            (a - row).toFloatList() shouldBe Jmlx.subtract(a, row).toFloatList()
            (a * row).toFloatList() shouldBe listOf(10f, 40f, 90f, 40f, 100f, 180f)
            (row / a).toFloatList() shouldBe listOf(10f, 10f, 10f, 2.5f, 4f, 5f)
            (2 * a + 1).toFloatList() shouldBe listOf(3f, 5f, 7f, 9f, 11f, 13f)
            (1f - a / 2).toFloatList() shouldBe listOf(0.5f, 0f, -0.5f, -1f, -1.5f, -2f)
            (-a).toFloatList() shouldBe listOf(-1f, -2f, -3f, -4f, -5f, -6f)
            val half = a.toFloatArray().toArray(2, 3, dtype = DType.FLOAT16)
            (half * 3).dtype shouldBe DType.FLOAT16
            (half + a).dtype shouldBe DType.FLOAT32
        }

        test("matmul takes dense and quantized right operands; elementwise ops dequantize") {
            val w =
                zeros(64, 128) + array(*FloatArray(128) { (it % 7 - 3) / 16f }, shape = shape(128))
            val x = array(*FloatArray(128) { it / 128f }, shape = shape(1, 128))
            val q = QuantizedArray.fromDense(w, 64, 4)
            q.isQuantized shouldBe true
            q.shape.toList() shouldBe listOf(64, 128)
            (x matmul q.transpose()).toFloatList() shouldBe
                Jmlx.matmul(x, q.transpose()).toFloatList()
            (x matmul Jmlx.matrixTranspose(w)).shape.toList() shouldBe listOf(1, 64)
            (q + w).toFloatList() shouldBe Jmlx.add(q.dequantize(), w).toFloatList()
        }
    })
