package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.Jmlx
import io.jmlx.Tensor
import io.jmlx.quant.QuantizedArray

/*
 * Arithmetic that reads like math: `a + b`, `2f * x`, `-x`, `x matmul w`. Every operand may be a dense `Array` or a
 * `QuantizedArray`: `matmul` multiplies on the packed weight, elementwise arithmetic dequantizes it first.
 * Broadcasting and type promotion are the core's (NumPy's and MLX's); a plain number takes the array's dtype,
 * as a Python scalar does in MLX.
 */

/** Elementwise sum, broadcast. */
operator fun Tensor.plus(other: Tensor): Array = Jmlx.add(dense(), other.dense())

/** Elementwise difference, broadcast. */
operator fun Tensor.minus(other: Tensor): Array = Jmlx.subtract(dense(), other.dense())

/** Elementwise product, broadcast (use [matmul] for the matrix product). */
operator fun Tensor.times(other: Tensor): Array = Jmlx.multiply(dense(), other.dense())

/** Elementwise quotient, broadcast. */
operator fun Tensor.div(other: Tensor): Array = Jmlx.divide(dense(), other.dense())

/** Adds a number to every element. */
operator fun Tensor.plus(scalar: Number): Array = this + scalarLike(scalar)

/** Subtracts a number from every element. */
operator fun Tensor.minus(scalar: Number): Array = this - scalarLike(scalar)

/** Multiplies every element by a number. */
operator fun Tensor.times(scalar: Number): Array = this * scalarLike(scalar)

/** Divides every element by a number. */
operator fun Tensor.div(scalar: Number): Array = this / scalarLike(scalar)

/** Adds an array to a number. */
operator fun Number.plus(a: Tensor): Array = a.scalarLike(this) + a

/** Subtracts an array from a number. */
operator fun Number.minus(a: Tensor): Array = a.scalarLike(this) - a

/** Multiplies a number by an array. */
operator fun Number.times(a: Tensor): Array = a.scalarLike(this) * a

/** Divides a number by an array. */
operator fun Number.div(a: Tensor): Array = a.scalarLike(this) / a

/** Negation. */
operator fun Tensor.unaryMinus(): Array = this * -1

/**
 * The matrix product `this · other` with NumPy's rules; a quantized right operand is multiplied on
 * its packed data (`x matmul w.transpose()` is a linear layer's `x · Wᵀ`).
 */
infix fun Tensor.matmul(other: Tensor): Array = Jmlx.matmul(this, other)

/** This tensor as a dense array: itself, or a quantized array dequantized. */
fun Tensor.dense(): Array =
    when (this) {
        is Array -> this
        is QuantizedArray -> dequantize()
    }

private fun Tensor.scalarLike(value: Number): Array = Array.of(floatArrayOf(value.toFloat()), dtype)
