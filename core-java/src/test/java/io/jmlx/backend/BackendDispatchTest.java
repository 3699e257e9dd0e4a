package io.jmlx.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.stream.Device;
import io.jmlx.stream.Stream;
import io.jmlx.stream.StreamOrDevice;
import io.jmlx.testing.RandomArrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ops on a device's stream run that device's kernels, allocate from its memory and complete when its stream says so:
 * proved with {@link RecordingBackend}, a second device (GPU type) whose kernels are the CPU's behind recording
 * proxies. For every kernel family an op on the recording device records the family's call and gives the CPU's
 * result; errors in its kernels surface at {@code eval}; arrays of either device feed the other's ops (MLX's unified
 * memory rule). Runs in the {@code recording-backend} test execution, where the backend is on the class path.
 */
class BackendDispatchTest {
    private static final Device GPU = Device.gpu();
    private static final Device CPU = Device.cpu();

    @BeforeEach
    void clear() {
        RecordingBackend.CALLS.clear();
        RecordingBackend.failing = null;
    }

    @AfterEach
    void noFailure() {
        RecordingBackend.failing = null;
    }

    @Test
    void theBackendIsFoundAndOffersItsDevice() {
        assertEquals(List.of(CPU, GPU), Device.available());
        assertEquals("recording", GPU.name());
        assertEquals("cpu", CPU.name());
        assertTrue(Device.describeBackends().contains("recording"), Device.describeBackends());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.gpu(1));
        assertTrue(e.getMessage().startsWith("no backend provides device gpu 1; found: cpu: "), e.getMessage());
    }

    /** {@code op} on the recording device calls {@code expectedCall} and equals the same op on the CPU. */
    private static void dispatches(String expectedCall, Function<StreamOrDevice, Array> op) {
        RecordingBackend.CALLS.clear();
        long allocatedBefore = RecordingBackend.ALLOCATED.get();
        Array onGpu = op.apply(GPU);
        byte[] gpuBytes = onGpu.toBytes();
        assertTrue(
                RecordingBackend.CALLS.contains(expectedCall),
                expectedCall + " expected among " + RecordingBackend.CALLS);
        assertTrue(RecordingBackend.ALLOCATED.get() > allocatedBefore, "outputs come from the device's memory");
        List<String> before = List.copyOf(RecordingBackend.CALLS);
        byte[] cpuBytes = op.apply(CPU).toBytes();
        assertEquals(before, List.copyOf(RecordingBackend.CALLS), "the CPU op does not use the recording kernels");
        assertArrayEquals(cpuBytes, gpuBytes, expectedCall);
    }

    @Test
    void everyKernelFamilyRunsOnTheOpsDevice() {
        Array a = RandomArrays.normal(1, 1, DType.FLOAT32, 4, 64);
        Array b = RandomArrays.normal(2, 1, DType.FLOAT32, 64);
        Array x = RandomArrays.normal(3, 1, DType.FLOAT32, 2, 3, 64);
        Array w = RandomArrays.normal(4, 1, DType.FLOAT32, 64);
        Array ids = Array.of(new int[] {3, 0, 2}, DType.INT32, 3);
        dispatches("ElementwiseKernels.unary", s -> Jmlx.exp(a, s));
        dispatches("ElementwiseKernels.unary", s -> Jmlx.gelu(a, s));
        dispatches("ElementwiseKernels.binary", s -> Jmlx.add(a, b, s));
        dispatches("ConversionKernels.convert", s -> Jmlx.astype(a, DType.BFLOAT16, s));
        dispatches("ReductionKernels.reduce", s -> Jmlx.logsumexp(a, 1, false, s));
        dispatches("ReductionKernels.reduce", s -> Jmlx.argmax(a, 0, true, s));
        dispatches("ReductionKernels.softmax", s -> Jmlx.softmax(a, -1, s));
        dispatches("NormKernels.rmsNorm", s -> Jmlx.rmsNorm(x, w, 1e-5f, s));
        dispatches("NormKernels.layerNorm", s -> Jmlx.layerNorm(x, w, w, 1e-5f, s));
        dispatches("RopeKernels.rope", s -> Jmlx.rope(x, 32, false, 10000f, 1f, 5, s));
        dispatches("GatherKernels.take", s -> Jmlx.take(a, ids, 0, s));
        dispatches("CopyKernels.copyStrided", s -> Jmlx.transpose(x, new int[] {2, 0, 1}, s));
        dispatches("CopyKernels.copyStrided", s -> Jmlx.slice(x, new int[] {0, 1, 4}, new int[] {2, 3, 20}, s));
        dispatches("CopyKernels.transposeMatrices", s -> Jmlx.matrixTranspose(x, s));
        dispatches("CopyKernels.concatenate", s -> Jmlx.concatenate(List.of(a, a), 1, s));
        dispatches("MatmulKernels.matmul", s -> Jmlx.matmul(a, Jmlx.matrixTranspose(a, s), s));
        Array heads = x.reshape(1, 2, 3, 64);
        dispatches("MatmulKernels.attention", s -> Jmlx.scaledDotProductAttention(heads, heads, heads, 0.5f, null, s));
    }

    @Test
    void quantizationKernelsRunOnTheOpsDevice() {
        Array w = RandomArrays.normal(5, 1, DType.FLOAT16, 32, 128);
        Array x = RandomArrays.normal(6, 1, DType.FLOAT16, 3, 128);
        for (QuantizationSettings settings : List.of(
                QuantizationSettings.of(64, 3, QuantizationMode.AFFINE),
                QuantizationSettings.defaults(QuantizationMode.MXFP4))) {
            dispatches(
                    "QuantizationKernels.quantize",
                    s -> Jmlx.quantize(w, settings, null, s).packed());
            dispatches(
                    "QuantizationKernels.quantize",
                    s -> Jmlx.quantize(w, settings, null, s).scales());
            dispatches("QuantizationKernels.dequantize", s -> {
                QuantizedParts q = Jmlx.quantize(w, settings, null, s);
                return Jmlx.dequantize(q, settings, null, null, s);
            });
            dispatches("QuantizationKernels.matmul", s -> {
                QuantizedParts q = Jmlx.quantize(w, settings, null, s);
                return Jmlx.quantizedMatmul(x, q, true, settings, s);
            });
        }
    }

    @Test
    void aFailingKernelFailsTheOpAtEval() {
        RecordingBackend.failing = "ElementwiseKernels.unary";
        Array y = Jmlx.exp(Array.of(new float[] {1, 2}, 2), GPU);
        EvaluationException e = assertThrows(EvaluationException.class, () -> Jmlx.eval(y));
        assertEquals("exp", e.op());
        assertEquals("[exp] injected failure in ElementwiseKernels.unary", e.getMessage());
        Array after = Jmlx.add(y, y, GPU);
        EvaluationException dependent = assertThrows(EvaluationException.class, after::data);
        assertEquals("exp", dependent.op(), "ops depending on a failed array fail with its exception");
    }

    @Test
    void arraysOfEitherDeviceFeedTheOtherDevicesOps() {
        Array a = RandomArrays.normal(7, 1, DType.FLOAT32, 8, 64);
        Array onGpu = Jmlx.exp(a, GPU);
        Array onCpu = Jmlx.add(onGpu, a, CPU);
        Array backOnGpu = Jmlx.multiply(onCpu, onGpu, GPU);
        Array expected = Jmlx.multiply(Jmlx.add(Jmlx.exp(a, CPU), a, CPU), Jmlx.exp(a, CPU), CPU);
        assertArrayEquals(expected.toFloatArray(), backOnGpu.toFloatArray());
    }

    @Test
    void opsChainedOnOneStreamCompleteInOrder() {
        Stream s = Stream.newStream(GPU);
        Array x = RandomArrays.normal(8, 1, DType.FLOAT32, 16, 64);
        Array y = x;
        Array expected = x;
        for (int i = 0; i < 50; i++) {
            y = Jmlx.add(Jmlx.multiply(y, y, s), x, s);
            expected = Jmlx.add(Jmlx.multiply(expected, expected, CPU), x, CPU);
            y = Jmlx.tanh(y, s);
            expected = Jmlx.tanh(expected, CPU);
        }
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray());
    }
}
