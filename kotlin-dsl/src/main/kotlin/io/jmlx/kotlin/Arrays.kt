package io.jmlx.kotlin

import io.jmlx.Array
import io.jmlx.DType
import io.jmlx.Tensor

/*
 * Builders and properties that read better in Kotlin than the Java factories.
 */

/** A shape, e.g. `shape(4096, 4096)`. */
fun shape(vararg dims: Int): IntArray = dims

/** The logical shape (of the dense equivalent, for a quantized array). */
val Tensor.shape: IntArray
    get() = shape()

/** The element type (of the dense equivalent, for a quantized array). */
val Tensor.dtype: DType
    get() = dtype()

/**
 * An array of these values with the given shape (default: one dimension) and dtype (default
 * float32).
 */
fun FloatArray.toArray(vararg shape: Int = intArrayOf(size), dtype: DType = DType.FLOAT32): Array =
    Array.of(this, dtype, *shape)

/** An array of [values], e.g. `array(1f, 2f, 3f, 4f, shape = shape(2, 2))`. */
fun array(
    vararg values: Float,
    shape: IntArray = intArrayOf(values.size),
    dtype: DType = DType.FLOAT32,
): Array = Array.of(values, dtype, *shape)

/** An integer array, e.g. token ids: `array(1, 2, 3)` (int32 unless [dtype] says otherwise). */
fun array(
    vararg values: Int,
    shape: IntArray = intArrayOf(values.size),
    dtype: DType = DType.INT32,
): Array = Array.of(values, dtype, *shape)

/** Zeros of the given shape and dtype. */
fun zeros(vararg shape: Int, dtype: DType = DType.FLOAT32): Array = Array.zeros(dtype, *shape)

/** The elements as a list of floats (waiting for the computation). */
fun Array.toFloatList(): List<Float> = toFloatArray().toList()
