package io.jmlx;

/**
 * What ops such as {@link Jmlx#matmul(Tensor, Tensor)} accept: a dense {@link Array} or a
 * {@link io.jmlx.quant.QuantizedArray}. Both report their logical shape and the floating type they compute in.
 */
public sealed interface Tensor permits Array, io.jmlx.quant.QuantizedArray {

    /** The logical shape (a copy): for a quantized array, the shape of its dense equivalent. */
    int[] shape();

    /** The element type of the dense equivalent. */
    DType dtype();

    /** Number of dimensions. */
    default int ndim() {
        return shape().length;
    }

    /** True when this is a quantized array, whose data is packed codes with scales (and biases). */
    boolean isQuantized();
}
