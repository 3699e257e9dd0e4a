package consumer;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedArray;
import io.jmlx.stream.Device;

/**
 * Quantizes a matrix and multiplies by it, from a named module: prints what it found and exits non-zero when the
 * module descriptor does not behave (a device missing, an internal package exported, a wrong product).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        check(Main.class.getModule().isNamed(), "the consumer runs as a named module");
        Module core = Array.class.getModule();
        check(core.isNamed() && core.getName().equals("io.jmlx.core"), "jmlx-core is the module io.jmlx.core");
        for (String hidden : new String[] {"io.jmlx.ops", "io.jmlx.kernels", "io.jmlx.kernels.vector"}) {
            check(!core.isExported(hidden), hidden + " is not exported");
        }
        for (String api : new String[] {"io.jmlx", "io.jmlx.quant", "io.jmlx.backend", "io.jmlx.nn"}) {
            check(core.isExported(api), api + " is exported");
        }
        check(Device.available().equals(java.util.List.of(Device.cpu())), "the CPU backend is found: " + Device.available());

        float[] values = new float[8 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        Array w = Array.of(values, DType.FLOAT32, 8, 64);
        QuantizedArray q = QuantizedArray.fromDense(w, QuantizationSettings.DEFAULT);
        Array x = Array.of(new float[64], DType.FLOAT32, 1, 64);
        float[] y = Jmlx.matmul(x, q.transpose()).toFloatArray();
        check(y.length == 8 && y[0] == 0f, "x·Ŵᵀ of a zero x is zero");
        float[] back = q.dequantize().toFloatArray();
        double worst = 0;
        for (int i = 0; i < values.length; i++) {
            worst = Math.max(worst, Math.abs(back[i] - values[i]));
        }
        check(worst <= 2.0 / 15, "4-bit round trip within one quantization step (range 2, 15 steps): " + worst);
        System.out.println("java consumer: ok (module path, " + Device.describeBackends() + ")");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("java consumer: FAILED: " + what);
            System.exit(1);
        }
    }
}
