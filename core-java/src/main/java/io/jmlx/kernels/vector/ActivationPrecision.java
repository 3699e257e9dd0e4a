package io.jmlx.kernels.vector;

import java.util.Locale;

/**
 * How the vector kernels may treat the activations x of a quantized product, chosen once per process by the system
 * property {@code jmlx.matmul.activations}: {@code float32} (the default: x multiplied as given, within the float32
 * accumulation bounds) or {@code int8} (<b>experimental</b>: x rounded to int8 per block of 64 for the affine 4-bit
 * products of fewer than 16 rows of x, {@link Int8ActivationMatmul}, whose error bound depends on x's rounding).
 */
final class ActivationPrecision {
    /** System property naming the activation precision. */
    static final String PROPERTY = "jmlx.matmul.activations";

    /** True when {@code -Djmlx.matmul.activations=int8}. */
    static final boolean INT8 = parse(System.getProperty(PROPERTY, "float32"));

    private ActivationPrecision() {}

    /** True for {@code int8}, false for {@code float32}; anything else is refused. */
    static boolean parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "float32" -> false;
            case "int8" -> true;
            default ->
                throw new IllegalArgumentException(
                        "-D" + PROPERTY + "=" + value + " is not an activation precision; expected float32 or int8");
        };
    }
}
