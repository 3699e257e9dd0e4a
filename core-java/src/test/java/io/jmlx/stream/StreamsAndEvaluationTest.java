package io.jmlx.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.Array;
import io.jmlx.DType;
import io.jmlx.EvaluationException;
import io.jmlx.Jmlx;
import io.jmlx.backend.DeviceType;
import io.jmlx.ops.Scheduler;
import io.jmlx.quant.QuantizedParts;
import io.jmlx.testing.RandomArrays;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streams, devices and the evaluation model: ops run on their stream, eval waits, failures name the op. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamsAndEvaluationTest {

    /** An op that blocks its stream until {@code gate} opens, then returns {@code value}. */
    private static Array gated(Stream s, CountDownLatch gate, float value) {
        return Scheduler.submit("gated", s, new Array[0], new int[] {1}, DType.FLOAT32, (kernels, in, out) -> {
            assertTrue(gate.await(30, TimeUnit.SECONDS));
            out[0].set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, value);
        });
    }

    @Test
    void defaultStreamIsOnTheCpu() {
        assertEquals(Device.cpu(), Stream.defaultStream().device());
        assertEquals(Device.cpu(), Device.defaultDevice());
        assertSame(Device.cpu().defaultStream(), Stream.defaultStream());
    }

    @Test
    void opsReturnAtOnceAndEvalWaits() {
        Stream s = Stream.newStream(Device.cpu());
        CountDownLatch gate = new CountDownLatch(1);
        Array a = gated(s, gate, 2f);
        Array b = Jmlx.astype(a, DType.BFLOAT16, s);
        assertFalse(a.isEvaluated());
        assertFalse(b.isEvaluated());
        CompletableFuture<Void> done = Jmlx.asyncEval(b);
        assertFalse(done.isDone());
        gate.countDown();
        Jmlx.eval(b);
        assertTrue(done.isDone());
        assertArrayEquals(new float[] {2f}, b.toFloatArray());
    }

    @Test
    void opsOnOneStreamRunInOrderOnItsThread() {
        Stream s = Stream.newStream(Device.cpu());
        List<String> threads = new ArrayList<>();
        List<Array> outs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int index = i;
            outs.add(Scheduler.submit("record", s, new Array[0], new int[] {1}, DType.INT32, (kernels, in, out) -> {
                synchronized (threads) {
                    threads.add(index + ":" + Thread.currentThread().getName());
                }
            }));
        }
        Jmlx.eval(outs.toArray(new Array[0]));
        for (int i = 0; i < 20; i++) {
            assertTrue(threads.get(i).startsWith(i + ":jmlx-cpu-stream-" + s.index()), threads.get(i));
        }
    }

    @Test
    void streamsRunSideBySideAndWaitForInputsFromOtherStreams() throws Exception {
        Stream blocked = Stream.newStream(Device.cpu());
        Stream other = Stream.newStream(Device.cpu());
        CountDownLatch gate = new CountDownLatch(1);
        Array slow = gated(blocked, gate, 3f);
        Array independent = Jmlx.astype(Array.of(new float[] {1f}, 1), DType.FLOAT16, other);
        Jmlx.eval(independent); // does not wait for the blocked stream
        Array dependent = Jmlx.astype(slow, DType.FLOAT16, other);
        assertFalse(dependent.isEvaluated());
        gate.countDown();
        assertArrayEquals(new float[] {3f}, dependent.toFloatArray());
    }

    @Test
    void aFailureSurfacesAtEvalNamingTheOpAndPropagatesToDependents() {
        Array bad = Scheduler.submit(
                "exploding_op", null, new Array[0], new int[] {2}, DType.FLOAT32, (kernels, in, out) -> {
                    throw new IllegalStateException("kernel ran out of luck");
                });
        Array dependent = Jmlx.astype(bad, DType.FLOAT16);
        EvaluationException e = assertThrows(EvaluationException.class, () -> Jmlx.eval(dependent));
        assertEquals("exploding_op", e.op());
        assertEquals("[exploding_op] kernel ran out of luck", e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        ExecutionException async =
                assertThrows(ExecutionException.class, () -> Jmlx.asyncEval(bad).get());
        assertInstanceOf(EvaluationException.class, async.getCause());
        assertThrows(EvaluationException.class, bad::data);
    }

    @Test
    void argumentErrorsAreThrownAtTheCallNotAtEval() {
        Stream s = Stream.newStream(Device.cpu());
        assertThrows(
                IllegalArgumentException.class,
                () -> Jmlx.quantize(Array.of(new float[48], 1, 48), 32, 4, "affine", s));
    }

    @Test
    void useScopesTheDefaultStreamAndRestoresIt() {
        Stream outer = Stream.newStream(Device.cpu());
        Stream inner = Stream.newStream(Device.cpu());
        assertNull(Stream.threadDefault());
        try (var a = Stream.use(outer)) {
            assertSame(outer, Stream.defaultStream());
            assertSame(outer, Device.cpu().stream(), "a device means the thread's stream when it is on that device");
            try (var b = Stream.use(inner)) {
                assertSame(inner, Stream.defaultStream());
                Array y = Jmlx.astype(Array.of(new float[] {1}, 1), DType.FLOAT16);
                String[] thread = new String[1];
                Array probe = Scheduler.submit(
                        "probe",
                        null,
                        new Array[] {y},
                        new int[] {1},
                        DType.INT32,
                        (kernels, in, out) -> thread[0] = Thread.currentThread().getName());
                Jmlx.eval(probe);
                assertEquals("jmlx-cpu-stream-" + inner.index(), thread[0]);
            }
            assertSame(outer, Stream.defaultStream());
        }
        assertNull(Stream.threadDefault());
        assertSame(Device.cpu().defaultStream(), Stream.defaultStream());
    }

    @Test
    void devicesCheckTheirArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Device(DeviceType.GPU, 0));
        assertThrows(IllegalArgumentException.class, () -> new Device(DeviceType.CPU, 1));
        assertThrows(IllegalArgumentException.class, () -> Stream.newStream(null));
        assertNotEquals(
                Stream.newStream(Device.cpu()).index(),
                Stream.newStream(Device.cpu()).index());
    }

    @Test
    void devicesParseFromTheirNames() {
        assertEquals(Device.cpu(), Device.parse("cpu"));
        assertEquals(Device.cpu(), Device.parse(" CPU "));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertEquals("a device is cpu, gpu or gpu:N, not 'tpu'", unknown.getMessage());
        // No GPU backend on the core's class path: the message names the backends that were found.
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu:0"));
        assertTrue(missing.getMessage().contains("cpu"), missing.getMessage());
    }

    @Test
    void quantizationRunsOnTheGivenStream() {
        Stream s = Stream.newStream(Device.cpu());
        Array w = RandomArrays.normal(21, 1, DType.FLOAT32, 16, 64);
        QuantizedParts onStream = Jmlx.quantize(w, 64, 4, "affine", s);
        QuantizedParts onDevice = Jmlx.quantize(w, 64, 4, "affine", Device.cpu());
        Jmlx.eval(onStream.packed(), onDevice.packed());
        assertArrayEquals(onDevice.packed().toIntArray(), onStream.packed().toIntArray());
        MemorySegment data = onStream.scales().data();
        assertEquals(16 * 4, data.byteSize());
    }

    @Test
    void cancellingAPendingResultSkipsItsWork() {
        Stream s = Stream.newStream(Device.cpu());
        CountDownLatch gate = new CountDownLatch(1);
        Array blocker = gated(s, gate, 1f);
        boolean[] ran = {false};
        Array pending = Scheduler.submit(
                "never", s, new Array[] {blocker}, new int[] {1}, DType.INT32, (kernels, in, out) -> ran[0] = true);
        assertTrue(pending.dataFuture().cancel(false));
        gate.countDown();
        Jmlx.eval(blocker, Jmlx.astype(blocker, DType.FLOAT16, s)); // the stream has moved past the cancelled op
        assertFalse(ran[0]);
        assertThrows(java.util.concurrent.CancellationException.class, pending::data);
    }
}
