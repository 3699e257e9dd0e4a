package io.jmlx.gpu;

import io.jmlx.DType;
import io.jmlx.gpu.testing.MatmulCheck;
import io.jmlx.gpu.testing.TestGpu;
import io.jmlx.kernels.FpFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GPU's quantized matmuls against jmlx's CPU kernels within the float32 summation bound ({@link MatmulCheck}):
 * every mode, type, bit width and group size, both weight layouts, the matrix-vector kernels (1 to 8 rows) and the
 * tiled kernel (more rows, edges not multiples of the tile), stacked and shared weights.
 */
class MatmulAgreementTest {
    private static final List<DType> TYPES = List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);

    @Test
    void affineEveryBitsAndGroupSizeBothLayouts() {
        Gpu gpu = TestGpu.get();
        long seed = 1;
        for (DType t : TYPES) {
            for (int bits : new int[] {2, 3, 4, 5, 6, 8}) {
                for (int groupSize : new int[] {32, 64, 128}) {
                    for (boolean transpose : new boolean[] {true, false}) {
                        int m = (int) (seed % 3 == 0 ? 1 : seed % 3 == 1 ? 5 : 37);
                        run(
                                gpu,
                                MatmulCheck.random(
                                        t,
                                        2,
                                        m,
                                        transpose ? 256 : 67,
                                        transpose ? 67 : 256,
                                        transpose,
                                        seed % 2 == 0,
                                        null,
                                        null,
                                        groupSize,
                                        bits,
                                        seed++));
                    }
                }
            }
        }
    }

    @Test
    void microscaledEveryFormatBothLayouts() {
        Gpu gpu = TestGpu.get();
        long seed = 100;
        for (DType t : TYPES) {
            for (FpFormat format : FpFormat.values()) {
                for (Float global : format == FpFormat.NVFP4 ? new Float[] {null, 5.5f} : new Float[] {null}) {
                    for (boolean transpose : new boolean[] {true, false}) {
                        for (int m : new int[] {1, 8, 40}) {
                            int k = transpose ? (format == FpFormat.NVFP4 ? 48 : 96) : 33;
                            int n = transpose ? 45 : (format == FpFormat.NVFP4 ? 80 : 96);
                            run(
                                    gpu,
                                    MatmulCheck.random(t, 3, m, k, n, transpose, m == 8, format, global, 0, 0, seed++));
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyRowCountOfTheVectorKernelsAndTheTiledKernel() {
        Gpu gpu = TestGpu.get();
        long seed = 200;
        for (int m = 1; m <= 10; m++) {
            for (boolean transpose : new boolean[] {true, false}) {
                run(gpu, MatmulCheck.random(DType.FLOAT32, 1, m, 512, 128, transpose, true, null, null, 64, 4, seed++));
            }
        }
        run(gpu, MatmulCheck.random(DType.FLOAT16, 1, 65, 160, 70, true, true, null, null, 32, 3, seed++));
        run(gpu, MatmulCheck.random(DType.BFLOAT16, 2, 33, 70, 160, false, false, null, null, 32, 5, seed));
    }

    private static void run(Gpu gpu, MatmulCheck c) {
        c.runAndCheck(gpu.kernels(), gpu.memory().allocate(c.outBytes()));
    }
}
