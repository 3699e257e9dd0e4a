package io.jmlx.ops;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Shape;
import io.jmlx.backend.NormSpec;
import io.jmlx.stream.StreamOrDevice;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * MLX's fast normalizations over the last axis, {@code rms_norm} and {@code layer_norm}, with MLX's order of
 * rounding: the statistics are computed from the float32 values (in double precision here), the normalized value is
 * rounded to the output type, then multiplied by the weight and added to the bias, each rounded to the output type.
 * The output type is the promoted type of {@code x} and the weight and bias given (float32, float16 or bfloat16).
 */
public final class NormOps {
    private NormOps() {}

    /** {@code x / √(mean(x²) + eps) · weight}; {@code weight} ({@code null}: none) has the size of the last axis. */
    public static Array rmsNorm(Array x, Array weight, float eps, StreamOrDevice s) {
        return normalize("rms_norm", x, weight, null, eps, false, s);
    }

    /** {@code (x − mean) / √(var + eps) · weight + bias}; {@code weight} and {@code bias} may be {@code null}. */
    public static Array layerNorm(Array x, Array weight, Array bias, float eps, StreamOrDevice s) {
        return normalize("layer_norm", x, weight, bias, eps, true, s);
    }

    private static Array normalize(
            String op, Array x, Array weight, Array bias, float eps, boolean centered, StreamOrDevice s) {
        OpChecks.requireFloat(op, "x", x);
        if (x.ndim() == 0) {
            throw new IllegalArgumentException("[" + op + "] x must have at least one dimension but is a scalar.");
        }
        int n = x.dim(-1);
        DType t = x.dtype();
        List<Array> inputs = new ArrayList<>(List.of(x));
        Array[] affines = {weight, bias};
        String[] names = {"weight", "bias"};
        for (int i = 0; i < affines.length; i++) {
            Array affine = affines[i];
            if (affine == null) {
                continue;
            }
            String name = names[i];
            OpChecks.requireFloat(op, name, affine);
            if (affine.ndim() != 1 || affine.dim(0) != n) {
                throw new IllegalArgumentException("[" + op + "] " + name + " must be a vector of the size of the last "
                        + "axis of x, (" + n + "), but has shape " + Shape.format(affine.shape()) + ".");
            }
            t = DType.promote(t, affine.dtype());
            inputs.add(affine);
        }
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("[" + op + "] eps must be a finite number >= 0 but is " + eps + ".");
        }
        long rows = n == 0 ? 0 : x.size() / n;
        NormSpec spec = new NormSpec(
                rows, n, eps, x.dtype(), weight == null ? null : weight.dtype(), bias == null ? null : bias.dtype(), t);
        return Scheduler.submit(op, s, inputs.toArray(Array[]::new), x.shape(), t, (kernels, in, o) -> {
            MemorySegment w = weight == null ? null : in[1];
            MemorySegment b = bias == null ? null : in[in.length - 1];
            if (centered) {
                kernels.norms().layerNorm(spec, in[0], w, b, o[0]);
            } else {
                kernels.norms().rmsNorm(spec, in[0], w, o[0]);
            }
        });
    }
}
